/**
 * Service level objectives (SPEC 3.5): good/total counts over the period, attainment, error budget
 * left, burn rates, and the multiwindow, multi-burn-rate alert tiers of the SRE workbook. Pure:
 * neither Vert.x nor Micrometer, time as an argument.
 */
package io.rollguard.slo;
