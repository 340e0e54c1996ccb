/**
 * A bounded in-memory history of what the evaluation decided (rule values, thresholds and states;
 * SLO attainment and budget), for charts. Pure: no Vert.x, no Micrometer.
 */
package io.rollguard.history;
