package io.rollguard.ingest;

import io.rollguard.clock.Clock;
import io.rollguard.clock.Timers;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * {@code POST /api/v1/ingest} (SPEC 1): authenticates, picks JSON or NDJSON by content type, reads
 * the body as it streams, and answers with what was accepted and rejected.
 *
 * <p>Event-loop confined: one handler per verticle, each with its own {@link Ingestor}. Parsing is
 * CPU work on the event loop that received the request, so ingest spreads over every event loop.
 * The {@link InflightSlots} are shared by all handlers and shed load with 429 before a body is
 * read.
 */
public final class IngestHandler implements Handler<RoutingContext> {

  private final Ingestor ingestor;
  private final IngestAuth auth;
  private final BodyLimits limits;
  private final InflightSlots slots;
  private final IngestMetrics metrics;
  private final Clock clock;
  private final Timers timers;

  /** Cluster mode: where accepted bodies go before they are answered; null on a single node. */
  private final Forwarder forwarder;

  /**
   * Cluster mode (docs/cluster.md): the records of a body go to the samples topic, and the body is
   * answered only once every one is acknowledged by all in-sync replicas.
   */
  public interface Forwarder {
    /** A sink for one body's accepted items. */
    io.rollguard.window.SampleSink open();

    /**
     * Produces what {@code body} holds; completes on the caller's context once every record is
     * acknowledged, fails (the body is then answered 503) when Kafka did not take it in time.
     */
    io.vertx.core.Future<Void> send(io.rollguard.window.SampleSink body);
  }

  /** {@code POST /v1/metrics} (OTLP/HTTP) rather than {@code /api/v1/ingest}. */
  private final boolean otlp;

  /** {@code POST /api/v1/write} (Prometheus remote write 1.0). */
  private final boolean remoteWrite;

  /** How a request is answered: our JSON, or OTLP in the request's encoding. */
  enum Dialect {
    INGEST("application/json"),
    OTLP_PROTOBUF("application/x-protobuf"),
    OTLP_JSON("application/json"),
    REMOTE_WRITE("text/plain; charset=utf-8");

    final String contentType;

    Dialect(String contentType) {
      this.contentType = contentType;
    }

    Buffer error(int status, String message) {
      return switch (this) {
        case INGEST -> new JsonObject().put("error", message).toBuffer();
        case OTLP_PROTOBUF -> OtlpWire.status(status, message, false);
        case OTLP_JSON -> OtlpWire.status(status, message, true);
        case REMOTE_WRITE -> Buffer.buffer(message + "\n");
      };
    }
  }

  /** Reused for each chunk of a plain NDJSON body, parsed before the next one arrives. */
  private byte[] scratch = new byte[64 << 10];

  /** Bodies' buffers, given back once a body is parsed (this handler's event loop only). */
  private final java.util.ArrayDeque<byte[]> spareBodies = new java.util.ArrayDeque<>();

  /** At most this many spare buffers, each at most {@link #SPARE_MAX_BYTES}, are kept. */
  private static final int SPARE_BODIES = 8;

  private static final int SPARE_MAX_BYTES = 1 << 20;

  /** The endpoints this handler serves, one handler per endpoint and event loop. */
  public enum Endpoint {
    /** {@code POST /api/v1/ingest}: our JSON and NDJSON. */
    INGEST,
    /**
     * {@code POST /v1/metrics}: OTLP/HTTP exports, protobuf or JSON (the ingestor must {@link
     * Ingestor#acceptOtlp accept OTLP}).
     */
    OTLP,
    /**
     * {@code POST /api/v1/write}: Prometheus remote write 1.0, a Snappy block holding a protobuf
     * {@code WriteRequest} (the ingestor must {@link Ingestor#acceptRemoteWrite accept it}).
     */
    REMOTE_WRITE
  }

  /**
   * A handler of {@code endpoint}: every endpoint has the same limits, slots and tokens. {@code
   * forwarder}: a cluster node's, which bodies are answered once it has them durably; null on a
   * single node.
   */
  public IngestHandler(
      Endpoint endpoint,
      Ingestor ingestor,
      IngestAuth auth,
      BodyLimits limits,
      InflightSlots slots,
      IngestMetrics metrics,
      Clock clock,
      Timers timers,
      Forwarder forwarder) {
    this.forwarder = forwarder;
    this.otlp = endpoint == Endpoint.OTLP;
    this.remoteWrite = endpoint == Endpoint.REMOTE_WRITE;
    this.ingestor = ingestor;
    this.auth = auth;
    this.limits = limits;
    this.slots = slots;
    this.metrics = metrics;
    this.clock = clock;
    this.timers = timers;
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    boolean ndjson = false;
    Dialect dialect = Dialect.INGEST;
    String type = mediaType(request.getHeader(HttpHeaders.CONTENT_TYPE));
    if (remoteWrite) {
      dialect = Dialect.REMOTE_WRITE;
      if (!type.equals("application/x-protobuf")) {
        refuse(
            request,
            dialect,
            415,
            "Content-Type must be application/x-protobuf (remote write 1.0), got '" + type + "'");
        return;
      }
      String raw = request.getHeader(HttpHeaders.CONTENT_TYPE);
      if (raw.contains("proto=") && !raw.contains("proto=prometheus.WriteRequest")) {
        refuse(
            request,
            dialect,
            415,
            "only remote write 1.0 (prometheus.WriteRequest) is taken, got '" + raw + "'");
        return;
      }
      String encoding = request.getHeader(HttpHeaders.CONTENT_ENCODING);
      if (encoding != null && !encoding.trim().equalsIgnoreCase("snappy")) {
        refuse(
            request,
            dialect,
            415,
            "Content-Encoding must be snappy (remote write 1.0), got '" + encoding + "'");
        return;
      }
    }
    if (otlp) {
      switch (type) {
        case "application/x-protobuf" -> dialect = Dialect.OTLP_PROTOBUF;
        case "application/json" -> dialect = Dialect.OTLP_JSON;
        default -> {
          refuse(
              request,
              Dialect.OTLP_JSON,
              415,
              "Content-Type must be application/x-protobuf or application/json, got '"
                  + type
                  + "'");
          return;
        }
      }
    }
    Predicate<String> services = auth.servicesFor(request.getHeader(HttpHeaders.AUTHORIZATION));
    if (services == null) {
      request.response().putHeader("WWW-Authenticate", "Bearer");
      refuse(
          request,
          dialect,
          401,
          "a valid ingest token is required (Authorization: Bearer <token>)");
      return;
    }
    if (!otlp && !remoteWrite) {
      switch (type) {
        case "application/json" -> ndjson = false;
        case "application/x-ndjson", "application/ndjson", "application/jsonl" -> ndjson = true;
        default -> {
          refuse(
              request,
              dialect,
              415,
              "Content-Type must be application/json or application/x-ndjson, got '" + type + "'");
          return;
        }
      }
    }
    ContentDecoding decoding;
    try {
      // a remote write body is a Snappy block, undone whole once it is in
      decoding =
          ContentDecoding.of(
              remoteWrite ? null : request.getHeader(HttpHeaders.CONTENT_ENCODING),
              limits.maxBodyBytes());
    } catch (ContentDecoding.DecodingException e) {
      refuse(request, dialect, e.status(), e.getMessage());
      return;
    }
    long declared = parseLength(request.getHeader(HttpHeaders.CONTENT_LENGTH));
    if (!ndjson && decoding.identity() && declared > limits.maxBodyBytes()) {
      refuse(request, dialect, 413, tooLarge());
      return;
    }
    if (!slots.tryTake()) {
      metrics.recordThrottled();
      request.response().putHeader(HttpHeaders.RETRY_AFTER, "1");
      // Prometheus retries 5xx but, by default, not 429
      refuse(
          request,
          dialect,
          remoteWrite ? 503 : 429,
          "too many ingest requests in flight; retry after 1 s");
      return;
    }
    BodyReader reader =
        ndjson
            ? new NdjsonReader(request, services, decoding)
            : new JsonReader(
                request, services, decoding, decoding.identity() ? declared : -1, dialect);
    reader.start();
  }

  /**
   * Reads one request's body. Exactly one of end, abort (error, reset, closed connection), timeout
   * or a refusal releases its in-flight slot; later events are ignored.
   */
  private abstract class BodyReader {
    final HttpServerRequest request;
    final Predicate<String> services;
    Dialect dialect = Dialect.INGEST;
    private final ContentDecoding decoding;
    private final ContentDecoding.Sink decoded = this::chunk;
    final long startedNanos = clock.monotonicTimeNanos();
    long bytes;
    private long timer = -1;
    private long waitedMillis;
    boolean done;

    BodyReader(HttpServerRequest request, Predicate<String> services, ContentDecoding decoding) {
      this.request = request;
      this.services = services;
      this.decoding = decoding;
    }

    void start() {
      request.handler(
          chunk -> {
            if (!done) {
              bytes += chunk.length();
              if (decoding.identity()) {
                decode(() -> plain(chunk));
              } else {
                byte[] raw = chunk.getBytes();
                decode(() -> decoding.decode(raw, 0, raw.length, decoded));
              }
            }
          });
      request.endHandler(
          v -> {
            if (!done) {
              decode(() -> decoding.finish(decoded));
            }
            if (!done) {
              end();
            }
          });
      request.exceptionHandler(e -> abort());
      request.response().closeHandler(v -> abort());
      armTimer(limits.allowedMillis(0));
      if (EarlyAnswer.expectsContinue(request)) {
        request.response().writeContinue();
      }
      request.resume();
    }

    /** What decoding gave of the body: {@code bytes[0, length)}, valid during the call only. */
    abstract void chunk(byte[] bytes, int length) throws Exception;

    /** A chunk of a body that is not encoded: copied once, into space the handler reuses. */
    void plain(Buffer chunk) throws Exception {
      int n = chunk.length();
      if (scratch.length < n) {
        scratch = new byte[Math.max(n, 2 * scratch.length)];
      }
      chunk.getBytes(0, n, scratch, 0);
      chunk(scratch, n);
    }

    /** A body the client encoded wrongly, or that inflates past the limit, is refused. */
    private void decode(DecodingStep step) {
      try {
        step.run();
      } catch (ContentDecoding.DecodingException e) {
        refuse(e.status(), e.getMessage());
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    abstract void end();

    /** Cluster mode: the sink of this body, opened when first needed; null on a single node. */
    private io.rollguard.window.SampleSink forwarded;

    /** Points the ingestor at this body's sink (cluster mode) before it commits anything. */
    void aim() {
      if (forwarder != null) {
        if (forwarded == null) {
          forwarded = forwarder.open();
        }
        ingestor.sendTo(forwarded);
      }
    }

    /**
     * Runs {@code answer} at once on a single node; in cluster mode once the body's records are
     * acknowledged, or answers 503 with Retry-After when Kafka did not take them (the client
     * retries; nothing of the body counts as accepted).
     */
    void forwardThen(Runnable answer) {
      if (forwarded == null) {
        answer.run();
        return;
      }
      if (timer >= 0) { // the whole body is here: waiting on Kafka is not the client's slowness
        timers.cancel(timer);
        timer = -1;
      }
      forwarder
          .send(forwarded)
          .onComplete(
              ar -> {
                if (ar.succeeded()) {
                  answer.run();
                } else if (!done) {
                  request.response().putHeader(HttpHeaders.RETRY_AFTER, "1");
                  refuse(503, "the cluster could not store the body: " + ar.cause().getMessage());
                }
              });
    }

    /** The client went away or broke the stream: nothing to answer, the slot is free again. */
    void abort() {
      finish();
    }

    /** Releases the slot; false if it was already released (later events are ignored). */
    boolean finish() {
      if (done) {
        return false;
      }
      done = true;
      slots.release();
      decoding.close();
      if (timer >= 0) {
        timers.cancel(timer);
      }
      return true;
    }

    /**
     * The deadline runs on the timers' time: {@code waitedMillis} adds up the delays that have
     * passed, so the body's allowance and the time it has had are measured by the same clock.
     */
    private void armTimer(long delayMillis) {
      timer =
          timers.set(
              delayMillis,
              () -> {
                timer = -1;
                waitedMillis += delayMillis;
                checkDeadline();
              });
    }

    private void checkDeadline() {
      if (done) {
        return;
      }
      long allowed = limits.allowedMillis(bytes);
      if (waitedMillis < allowed) {
        armTimer(allowed - waitedMillis);
        return;
      }
      metrics.recordTimedOut();
      refuse(
          408,
          "the body arrived too slowly: "
              + bytes
              + " bytes in "
              + waitedMillis / 1_000.0
              + " s (limits.body_timeout, limits.body_min_rate)");
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
      if (outcome.status() == 429) {
        request.response().putHeader(HttpHeaders.RETRY_AFTER, "1");
      }
      request
          .response()
          .setStatusCode(outcome.status())
          .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
          .end(
              new JsonObject()
                  .put("accepted", outcome.accepted())
                  .put("rejected", outcome.rejected())
                  .put("errors", errors)
                  .toBuffer());
    }

    /**
     * Answers an OTLP export: 200 with {@code partialSuccess} for the points it could not take (a
     * rejected point is not retried by the exporter), 403 when the token may write none of it.
     */
    void respondOtlp(IngestOutcome outcome) {
      if (outcome.status() == 403) {
        metrics.recordIngest(outcome, clock.monotonicTimeNanos() - startedNanos);
        String why = outcome.errors().get(0).error();
        for (IngestOutcome.ItemError e : outcome.errors()) {
          if (e.error().contains("may not write")) {
            why = e.error();
            break;
          }
        }
        refuse(403, why);
        return;
      }
      if (!finish()) {
        return;
      }
      metrics.recordIngest(outcome, clock.monotonicTimeNanos() - startedNanos);
      StringBuilder message = new StringBuilder();
      List<IngestOutcome.ItemError> errors = outcome.errors();
      for (int i = 0; i < Math.min(errors.size(), 5); i++) {
        message.append(i == 0 ? "" : "; ").append(errors.get(i).error());
      }
      if (outcome.rejected() > errors.size() || errors.size() > 5) {
        message.append(" (and more: ").append(outcome.rejected()).append(" points rejected)");
      }
      request
          .response()
          .setStatusCode(200)
          .putHeader(HttpHeaders.CONTENT_TYPE, dialect.contentType)
          .end(
              OtlpWire.response(
                  outcome.rejected(), message.toString(), dialect == Dialect.OTLP_JSON));
    }

    /**
     * Answers a remote write request: 204 when every sample was taken; else 400 (senders do not
     * retry it, so what was taken is not sent again) naming the first problems; 403 when the token
     * may write none of it.
     */
    void respondRemoteWrite(IngestOutcome outcome) {
      if (outcome.rejected() > 0) {
        metrics.recordIngest(outcome, clock.monotonicTimeNanos() - startedNanos);
        StringBuilder message = new StringBuilder();
        List<IngestOutcome.ItemError> errors = outcome.errors();
        for (int i = 0; i < Math.min(errors.size(), 5); i++) {
          message.append(i == 0 ? "" : "; ").append(errors.get(i).error());
        }
        message
            .append(" (")
            .append(outcome.rejected())
            .append(" rejected, ")
            .append(outcome.accepted())
            .append(" accepted)");
        refuse(outcome.status() == 403 ? 403 : 400, message.toString());
        return;
      }
      if (!finish()) {
        return;
      }
      metrics.recordIngest(outcome, clock.monotonicTimeNanos() - startedNanos);
      request.response().setStatusCode(204).end();
    }

    /** Answers an error now and drops the rest of the body (408: closes at once). */
    void refuse(int status, String message) {
      if (finish()) {
        IngestHandler.refuse(
            request, dialect, status, message, status == 408 ? 0 : limits.drainBytes());
      }
    }
  }

  private final class JsonReader extends BodyReader {
    private byte[] body;
    private int length;

    /**
     * {@code declaredLength}: the Content-Length (already checked against the limit), or -1. Only a
     * first slice is allocated for it: the buffer grows as bytes arrive, so a large declared length
     * costs nothing until the bytes are really there.
     */
    JsonReader(
        HttpServerRequest request,
        Predicate<String> services,
        ContentDecoding decoding,
        long declaredLength,
        Dialect dialect) {
      super(request, services, decoding);
      this.dialect = dialect;
      int initial = (int) Math.min(64 << 10, declaredLength > 0 ? declaredLength : 16 << 10);
      byte[] spare = spareBodies.pollFirst();
      this.body = spare != null && spare.length >= initial ? spare : new byte[initial];
    }

    @Override
    void plain(Buffer chunk) {
      int n = chunk.length();
      if (!fits(n)) {
        return;
      }
      chunk.getBytes(0, n, body, length);
      length += n;
    }

    @Override
    void chunk(byte[] bytes, int n) {
      if (fits(n)) {
        System.arraycopy(bytes, 0, body, length, n);
        length += n;
      }
    }

    /** Makes room for {@code n} more bytes; false (and refused with 413) past the limit. */
    private boolean fits(int n) {
      if (length + (long) n > limits.maxBodyBytes()) {
        giveBack();
        refuse(413, tooLarge());
        return false;
      }
      if (length + n > body.length) {
        body =
            java.util.Arrays.copyOf(
                body,
                (int) Math.min(limits.maxBodyBytes(), Math.max(length + n, 2L * body.length)));
      }
      return true;
    }

    @Override
    void end() {
      try {
        aim();
        if (dialect == Dialect.INGEST) {
          IngestOutcome outcome = ingestor.ingestJson(body, length, services);
          forwardThen(() -> respond(outcome));
        } else if (dialect == Dialect.REMOTE_WRITE) {
          byte[] proto;
          try {
            proto = RemoteWriteReader.unsnappy(body, length, limits.maxBodyBytes());
          } catch (RemoteWriteReader.TooLargeException e) {
            refuse(413, tooLarge() + ": " + e.getMessage());
            return;
          }
          IngestOutcome outcome = ingestor.ingestRemoteWrite(proto, services);
          forwardThen(() -> respondRemoteWrite(outcome));
        } else {
          IngestOutcome outcome =
              ingestor.ingestOtlp(
                  OtlpWire.parse(body, length, dialect == Dialect.OTLP_JSON), services);
          forwardThen(() -> respondOtlp(outcome));
        }
      } catch (MalformedBodyException e) {
        refuse(400, e.getMessage());
      } catch (RuntimeException e) {
        // a defect of ours: answer at once rather than leave the client to its timeout
        java.util.logging.Logger.getLogger(IngestHandler.class.getName())
            .log(java.util.logging.Level.SEVERE, "ingest failed on a request body", e);
        refuse(500, "the server failed to process the body");
      } finally {
        giveBack();
      }
    }

    @Override
    void abort() {
      super.abort();
      giveBack();
    }

    private void giveBack() {
      if (body != null && body.length <= SPARE_MAX_BYTES && spareBodies.size() < SPARE_BODIES) {
        spareBodies.addFirst(body);
      }
      body = null;
    }
  }

  private final class NdjsonReader extends BodyReader {
    private final Ingestor.NdjsonStream stream;

    NdjsonReader(HttpServerRequest request, Predicate<String> services, ContentDecoding decoding) {
      super(request, services, decoding);
      this.stream = ingestor.ndjson(services);
    }

    @Override
    void chunk(byte[] bytes, int length) {
      if (done) {
        return;
      }
      try {
        aim();
        stream.accept(bytes, 0, length);
      } catch (LineTooLongException e) {
        metrics.recordIngest(stream.outcome(), clock.monotonicTimeNanos() - startedNanos);
        refuse(413, e.getMessage());
      }
    }

    @Override
    void end() {
      aim();
      IngestOutcome outcome = stream.finish();
      forwardThen(() -> respond(outcome));
    }
  }

  /** One step of decoding the body, which may refuse it. */
  @FunctionalInterface
  private interface DecodingStep {
    void run() throws Exception;
  }

  private String tooLarge() {
    return "the body is larger than max_body_bytes (" + limits.maxBodyBytes() + ")";
  }

  private void refuse(HttpServerRequest request, Dialect dialect, int status, String message) {
    refuse(request, dialect, status, message, limits.drainBytes());
  }

  private static void refuse(
      HttpServerRequest request, Dialect dialect, int status, String message, long drainBytes) {
    EarlyAnswer.send(
        request, status, dialect.contentType, dialect.error(status, message), drainBytes);
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
    if (header == null) {
      return -1;
    }
    try {
      return Long.parseLong(header.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
