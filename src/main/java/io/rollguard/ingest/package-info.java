/**
 * The ingest endpoint: HTTP in, parsed and validated items out to {@link
 * io.rollguard.window.SeriesRegistry} windows. Parsing is streaming (Jackson tokens, no databind)
 * and fills primitive columns, so the per-sample path allocates nothing; an item's own labels are
 * the exception, as they name a series of their own.
 *
 * <p>A JSON body is bounded ({@code limits.max_body_bytes}) and is staged whole before anything is
 * recorded, so a body that does not parse changes nothing. An NDJSON body is unbounded: it is
 * parsed and recorded as its chunks arrive, and a broken line loses only itself.
 */
package io.rollguard.ingest;
