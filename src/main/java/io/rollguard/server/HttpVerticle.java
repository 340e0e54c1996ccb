package io.rollguard.server;

import io.rollguard.api.HealthHandlers;
import io.rollguard.api.HistoryHandlers;
import io.rollguard.api.IncidentsHandlers;
import io.rollguard.api.QueryHandler;
import io.rollguard.api.QueryRangeHandler;
import io.rollguard.api.ReportsHandlers;
import io.rollguard.api.RolloutsHandlers;
import io.rollguard.api.RulesHandlers;
import io.rollguard.api.SeriesHandler;
import io.rollguard.api.SlosHandlers;
import io.rollguard.ingest.IngestHandler;
import io.rollguard.ingest.Ingestor;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One HTTP server instance on one event loop, with its own {@link Ingestor}. The server deploys one
 * per event loop, all sharing the listening port, so ingest parsing uses every core.
 */
final class HttpVerticle extends VerticleBase {

  private static final Logger LOG = Logger.getLogger(HttpVerticle.class.getName());

  /** How often an event loop writes the samples its ingestor holds, at the latest. */
  static final long FLUSH_PERIOD_MILLIS = 10;

  private final Shared shared;
  private final int port;
  private HttpServer server;
  private long flushTimer = -1;

  HttpVerticle(Shared shared, int port) {
    this.shared = shared;
    this.port = port;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    Ingestor ingestor =
        Ingestor.buffered(shared.series(), shared.ingestLimits(), shared.clock())
            .acceptOtlp(shared.otlpStreams(), shared.config().otlp())
            .acceptRemoteWrite(
                shared.promHistograms(), shared.otlpStreams(), shared.config().remoteWrite());
    if (shared.cluster() != null) {
      ingestor.forwarding(shared.cluster().keyLabel());
    }
    Runnable flush =
        () -> {
          long lost = ingestor.lostAtFlush();
          ingestor.flush();
          if (ingestor.lostAtFlush() > lost) {
            shared.metrics().recordLostAtFlush(ingestor.lostAtFlush() - lost);
          }
        };
    shared.barrier().register(context, flush);
    flushTimer = shared.timers().every(FLUSH_PERIOD_MILLIS, flush);
    // reads of the windows first wait until every event loop wrote what it holds
    Handler<RoutingContext> afterWrites =
        ctx -> shared.barrier().flushAll().onComplete(ar -> ctx.next());
    for (var route :
        java.util.Map.of(
                "/api/v1/ingest", IngestHandler.Endpoint.INGEST,
                "/v1/metrics", IngestHandler.Endpoint.OTLP,
                "/api/v1/write", IngestHandler.Endpoint.REMOTE_WRITE)
            .entrySet()) {
      router
          .post(route.getKey())
          .handler(
              new IngestHandler(
                  route.getValue(),
                  ingestor,
                  shared.auth(),
                  shared.bodyLimits(),
                  shared.inflight(),
                  shared.metrics(),
                  shared.clock(),
                  shared.timers(),
                  shared.cluster()));
    }
    if (shared.cluster() != null) { // any node answers for the whole cluster (docs/cluster.md)
      String nodeId = shared.cluster().nodeId();
      router
          .route("/api/*")
          .handler(
              ctx -> {
                ctx.response().putHeader(ClusterReads.ANSWERED_BY, nodeId);
                ctx.next();
              });
      new ClusterReads(
              vertx,
              shared.cluster(),
              shared.rules(),
              shared.clock(),
              shared.config().server().tls().enabled())
          .register(router);
    }
    router
        .get("/api/v1/query")
        .handler(afterWrites)
        .handler(new QueryHandler(shared.series(), shared.clock()));
    router
        .get("/api/v1/query_range")
        .handler(afterWrites)
        .handler(new QueryRangeHandler(shared.series(), shared.clock()));
    router.get("/api/v1/series").handler(afterWrites).handler(new SeriesHandler(shared.series()));
    RulesService rules = shared.rules();
    RulesHandlers rulesApi =
        new RulesHandlers(
            rules::snapshot,
            rules::status,
            () -> rules.reload("POST /-/reload"),
            rules::backlog,
            shared.config().auth().adminToken());
    router.get("/api/v1/rules").handler(rulesApi::rules);
    router.get("/api/v1/alerts").handler(rulesApi::alerts);
    router.post("/-/reload").handler(rulesApi::reload);
    HistoryHandlers historyApi = new HistoryHandlers(rules.history());
    router.get("/api/v1/rules/:name/history").handler(historyApi::rule);
    router.get("/api/v1/slos/:name/history").handler(historyApi::slo);
    RolloutsHandlers rolloutsApi =
        new RolloutsHandlers(rules::verdicts, rules::setStage, shared.config().auth().adminToken());
    router.get("/api/v1/rollouts").handler(rolloutsApi::list);
    router.get("/api/v1/rollouts/:name").handler(rolloutsApi::get);
    router
        .put("/api/v1/rollouts/:name/stage")
        .handler(BodyHandler.create(false).setBodyLimit(4_096)) // JSON only: no uploads to disk
        .handler(rolloutsApi::setStage);
    router.post("/api/v1/gates/:rollout/promote").handler(rolloutsApi::promoteGate);
    router.post("/api/v1/gates/:rollout/rollback").handler(rolloutsApi::rollbackGate);
    router.get("/api/v1/slos").handler(new SlosHandlers(rules::slos)::list);
    ReportService reports = shared.reports();
    router
        .get("/api/v1/reports/:name")
        .handler(
            new ReportsHandlers(
                    (name, span) -> {
                      var r = reports.report(name);
                      return r == null ? null : reports.render(r, span == null ? r.span() : span);
                    })
                ::get);
    IncidentsHandlers incidentsApi = new IncidentsHandlers(shared.incidents());
    router.get("/api/v1/incidents").handler(incidentsApi::list);
    router.get("/api/v1/incidents/:id").handler(incidentsApi::get);
    router.get("/api/v1/incidents/:id/report").handler(incidentsApi::report);
    HealthHandlers health =
        new HealthHandlers(shared.config().dataDir(), rules::servingValidRules, rules::backlog);
    router.get("/healthz").handler(health::live);
    router.get("/readyz").handler(health::ready);
    router
        .get("/metrics")
        .handler(
            ctx ->
                vertx
                    .executeBlocking(shared.metrics()::scrape, false)
                    .onSuccess(
                        text ->
                            ctx.response()
                                .putHeader(
                                    HttpHeaders.CONTENT_TYPE,
                                    "text/plain; version=0.0.4; charset=utf-8")
                                .end(text))
                    .onFailure(ctx::fail));
    // the status page: static files from the jar, no build step (webroot/vendor/README.md)
    router
        .route("/*")
        .method(HttpMethod.GET)
        .method(HttpMethod.HEAD)
        .handler(
            ctx -> {
              ctx.response()
                  .putHeader(
                      "Content-Security-Policy",
                      "default-src 'self'; img-src 'self' data:; base-uri 'none';"
                          + " form-action 'self'; frame-ancestors 'none'")
                  .putHeader("X-Content-Type-Options", "nosniff");
              ctx.next();
            })
        .handler(
            StaticHandler.create("webroot")
                .setMaxAgeSeconds(60)
                .setIncludeHidden(false)
                .setDirectoryListing(false));
    router
        .route()
        .last()
        .handler(
            ctx ->
                answer(
                    ctx.response(),
                    404,
                    "no such endpoint: " + ctx.request().method() + " " + ctx.request().path()));
    router.errorHandler(405, ctx -> answer(ctx.response(), 405, "method not allowed"));
    router.errorHandler(
        500,
        ctx -> {
          LOG.log(Level.WARNING, "request failed: " + ctx.request().path(), ctx.failure());
          answer(ctx.response(), 500, "internal error");
        });

    long idleMillis = shared.config().server().idleTimeout().toMillis();
    HttpServerOptions options =
        new HttpServerOptions()
            .setHost(shared.config().server().host())
            .setPort(port)
            // ingest decodes bodies itself (gzip, deflate), the same way on HTTP/1.1 and HTTP/2
            .setDecompressionSupported(false)
            .setIdleTimeout((int) idleMillis)
            .setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
    var tls = shared.config().server().tls();
    if (tls.enabled()) {
      options
          .setSsl(true)
          .setKeyCertOptions(
              new io.vertx.core.net.PemKeyCertOptions()
                  .setCertPath(tls.cert().toString())
                  .setKeyPath(tls.key().toString()));
    }
    ConnectionGuard guard = new ConnectionGuard(vertx, idleMillis);
    return vertx
        .createHttpServer(options)
        .connectionHandler(guard::opened)
        .requestHandler(
            request -> {
              guard.requestStarted(request);
              router.handle(request);
            })
        .listen()
        .onSuccess(s -> server = s);
  }

  @Override
  public Future<?> stop() {
    shared.timers().cancel(flushTimer);
    return Future.succeededFuture();
  }

  int actualPort() {
    return server.actualPort();
  }

  private static void answer(
      io.vertx.core.http.HttpServerResponse response, int status, String message) {
    if (!response.ended()) {
      response
          .setStatusCode(status)
          .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
          .end(new JsonObject().put("error", message).toBuffer());
    }
  }
}
