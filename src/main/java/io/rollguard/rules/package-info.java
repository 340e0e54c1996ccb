/**
 * Rules SREs write: the {@code when} expression language (SPEC 3.2), its types, and its evaluation
 * over window statistics. Pure code: no Vert.x, no Micrometer, no clock of its own.
 */
package io.rollguard.rules;
