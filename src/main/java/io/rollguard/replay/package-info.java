/**
 * Backtests ({@code rollguard replay}): recorded ingest NDJSON fed through the server's own ingest
 * parser and {@link io.rollguard.evaluation.Evaluation} on virtual time, with the timeline of what
 * would have fired, resolved and been rolled back. Nothing is sent.
 */
package io.rollguard.replay;
