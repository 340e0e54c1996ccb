/**
 * Rollguard's own metrics: Micrometer meters named {@code rollguard_*} in the Prometheus
 * exposition, plus JVM and Vert.x meters in the same registry.
 */
package io.rollguard.metrics;
