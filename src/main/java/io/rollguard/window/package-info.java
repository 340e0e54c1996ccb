/**
 * Sliding windows per series: request counts, errors and HdrHistogram latency distributions in
 * event-time slices; gauges; health-check results; and the registry that owns them all.
 *
 * <h2>High level design</h2>
 *
 * A window is a ring of time slices ({@link io.rollguard.window.SliceRing}, the only rotation
 * code). A sample lands in the slice of its own time stamp, so late samples count where they
 * belong, and a slot is reset lazily when a newer slice claims it. Slices store latencies sparsely,
 * as (bucket, count) pairs on one HdrHistogram scale ({@link io.rollguard.window.Latency}), because
 * a dense histogram per slice would cost 27 KB each. Readers merge slices of one or many series
 * into their own dense histogram: aggregation merges distributions, it never averages quantiles.
 *
 * <p>Windows are monitors: ingest threads write runs of samples under one lock each, readers copy
 * out. This package imports neither Vert.x nor Micrometer, and takes time as arguments.
 */
package io.rollguard.window;
