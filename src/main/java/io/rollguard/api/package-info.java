/**
 * The read side of the HTTP API (SPEC 5): queries over windows, the series list, health and
 * readiness, and the Prometheus exposition. Handlers run their work on worker threads, so that a
 * query over many series never holds up ingest on an event loop.
 */
package io.rollguard.api;
