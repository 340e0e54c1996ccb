/**
 * The composition root: builds Vert.x, the metrics registry, the series registry and the HTTP
 * verticles from a {@link io.rollguard.config.RollguardConfig}, and wires them. Nothing depends on
 * this package.
 */
package io.rollguard.server;
