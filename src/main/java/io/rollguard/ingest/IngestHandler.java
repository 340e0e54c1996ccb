package io.rollguard.ingest;

import io.rollguard.clock.Clock;
import io.rollguard.metrics.RollguardMetrics;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * {@code POST /api/v1/ingest} (SPEC 1): authenticates, picks JSON or NDJSON by content type, reads
 * the body as it streams, and answers with what was accepted and rejected.
 *
 * <p>Event-loop confined: one handler per verticle, each with its own {@link Ingestor}. Parsing is
 * CPU work on the event loop that received the request, so ingest spreads over every event loop.
 * The in-flight counter is shared by all handlers and sheds load with 429 before a request is read.
 */
public final class IngestHandler implements Handler<RoutingContext> {

  private final Ingestor ingestor;
  private final IngestAuth auth;
  private final long maxBodyBytes;
  private final int maxInflight;
  private final AtomicInteger inflight;
  private final RollguardMetrics metrics;
  private final Clock clock;

  public IngestHandler(
      Ingestor ingestor,
      IngestAuth auth,
      long maxBodyBytes,
      int maxInflight,
      AtomicInteger inflight,
      RollguardMetrics metrics,
      Clock clock) {
    this.ingestor = ingestor;
    this.auth = auth;
    this.maxBodyBytes = maxBodyBytes;
    this.maxInflight = maxInflight;
    this.inflight = inflight;
    this.metrics = metrics;
    this.clock = clock;
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    Predicate<String> services = auth.servicesFor(request.getHeader(HttpHeaders.AUTHORIZATION));
    if (services == null) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer");
      fail(ctx.response(), 401, "a valid ingest token is required (Authorization: Bearer <token>)");
      return;
    }
    boolean ndjson;
    String type = mediaType(request.getHeader(HttpHeaders.CONTENT_TYPE));
    switch (type) {
      case "application/json" -> ndjson = false;
      case "application/x-ndjson", "application/ndjson", "application/jsonl" -> ndjson = true;
      default -> {
        fail(
            ctx.response(),
            415,
            "Content-Type must be application/json or application/x-ndjson, got '" + type + "'");
        return;
      }
    }
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (!ndjson && length != null && parseLength(length) > maxBodyBytes) {
      refuseTooLarge(request, "the body is larger than max_body_bytes (" + maxBodyBytes + ")");
      return;
    }
    if (inflight.incrementAndGet() > maxInflight) {
      inflight.decrementAndGet();
      metrics.recordThrottled();
      ctx.response().putHeader(HttpHeaders.RETRY_AFTER, "1");
      fail(ctx.response(), 429, "too many ingest requests in flight; retry after 1 s");
      return;
    }
    long started = clock.monotonicTimeNanos();
    BodyReader reader =
        ndjson
            ? new NdjsonReader(request, services, started)
            : new JsonReader(request, services, started, length == null ? -1 : parseLength(length));
    request.handler(reader::chunk);
    request.endHandler(v -> reader.end());
    request.exceptionHandler(e -> reader.abort());
    request.resume();
  }

  /**
   * Reads one request's body; exactly one of end, abort or a refusal releases its in-flight slot.
   */
  private abstract class BodyReader {
    final HttpServerRequest request;
    final Predicate<String> services;
    final long startedNanos;
    boolean done;

    BodyReader(HttpServerRequest request, Predicate<String> services, long startedNanos) {
      this.request = request;
      this.services = services;
      this.startedNanos = startedNanos;
    }

    abstract void chunk(Buffer chunk);

    abstract void end();

    void abort() {
      finish();
    }

    /** Releases the slot; false if it was already released (later chunks are ignored). */
    boolean finish() {
      if (done) {
        return false;
      }
      done = true;
      inflight.decrementAndGet();
      return true;
    }

    void respond(IngestOutcome outcome) {
      if (!finish()) {
        return;
      }
      metrics.recordIngest(outcome, clock.monotonicTimeNanos() - startedNanos);
      JsonArray errors = new JsonArray();
      for (IngestOutcome.ItemError e : outcome.errors()) {
        errors.add(
            new JsonObject().put("index", e.index()).put("line", e.line()).put("error", e.error()));
      }
      HttpServerResponse response = request.response();
      if (outcome.status() == 429) {
        response.putHeader(HttpHeaders.RETRY_AFTER, "1");
      }
      response
          .setStatusCode(outcome.status())
          .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
          .end(
              new JsonObject()
                  .put("accepted", outcome.accepted())
                  .put("rejected", outcome.rejected())
                  .put("errors", errors)
                  .toBuffer());
    }

    void refuse(int status, String message) {
      if (finish()) {
        if (status == 413) {
          refuseTooLarge(request, message);
        } else {
          fail(request.response(), status, message);
        }
      }
    }
  }

  private final class JsonReader extends BodyReader {
    private byte[] body;
    private int length;

    /** {@code declaredLength}: the Content-Length (already checked against the limit), or -1. */
    JsonReader(
        HttpServerRequest request,
        Predicate<String> services,
        long startedNanos,
        long declaredLength) {
      super(request, services, startedNanos);
      this.body = new byte[declaredLength > 0 ? (int) declaredLength : 16_384];
    }

    @Override
    void chunk(Buffer chunk) {
      if (done) {
        return;
      }
      int n = chunk.length();
      if (length + (long) n > maxBodyBytes) {
        body = null;
        refuse(413, "the body is larger than max_body_bytes (" + maxBodyBytes + ")");
        return;
      }
      if (length + n > body.length) {
        body =
            java.util.Arrays.copyOf(
                body, (int) Math.min(maxBodyBytes, Math.max(length + n, 2L * body.length)));
      }
      chunk.getBytes(body, length);
      length += n;
    }

    @Override
    void end() {
      if (done) {
        return;
      }
      try {
        respond(ingestor.ingestJson(body, length, services));
      } catch (MalformedBodyException e) {
        refuse(400, e.getMessage());
      }
    }
  }

  private final class NdjsonReader extends BodyReader {
    private final Ingestor.NdjsonStream stream;

    NdjsonReader(HttpServerRequest request, Predicate<String> services, long startedNanos) {
      super(request, services, startedNanos);
      this.stream = ingestor.ndjson(services);
    }

    @Override
    void chunk(Buffer chunk) {
      if (done) {
        return;
      }
      byte[] bytes = chunk.getBytes();
      try {
        stream.accept(bytes, bytes.length);
      } catch (LineTooLongException e) {
        metrics.recordIngest(stream.outcome(), clock.monotonicTimeNanos() - startedNanos);
        refuse(413, e.getMessage());
      }
    }

    @Override
    void end() {
      if (!done) {
        respond(stream.finish());
      }
    }
  }

  private static void refuseTooLarge(HttpServerRequest request, String message) {
    HttpServerResponse response = request.response();
    response.putHeader(HttpHeaders.CONNECTION, "close");
    // The rest of the body is not read: once the answer is out, the connection goes.
    response.endHandler(v -> request.connection().close());
    fail(response, 413, message);
  }

  private static void fail(HttpServerResponse response, int status, String message) {
    response
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(new JsonObject().put("error", message).toBuffer());
  }

  private static String mediaType(String contentType) {
    if (contentType == null) {
      return "";
    }
    int semicolon = contentType.indexOf(';');
    return (semicolon < 0 ? contentType : contentType.substring(0, semicolon))
        .trim()
        .toLowerCase(Locale.ROOT);
  }

  private static long parseLength(String header) {
    try {
      return Long.parseLong(header.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
