/**
 * The one evaluation path of {@code serve}, {@code test} and {@code replay}: rules, rollouts and
 * SLOs of a rule file set over one series registry, ticked at a time given as an argument. Pure:
 * neither Vert.x nor Micrometer.
 */
package io.rollguard.evaluation;
