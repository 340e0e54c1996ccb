package io.rollguard.server;

import io.rollguard.alerting.AlertEvent;
import io.rollguard.clock.Clock;
import io.rollguard.cluster.Membership;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * Cluster mode: the API answers for the whole cluster from any node (docs/cluster.md, "Reads from
 * any node"). A read of one definition ({@code /api/v1/rollouts/{name}}, its stage and gates, a
 * rule's or SLO's history) or of one key ({@code /api/v1/query?service=checkout}) is forwarded to
 * the node that owns the key's partition; a list ({@code /api/v1/rules}, {@code /alerts}, {@code
 * /slos}, {@code /rollouts}, {@code /incidents}, {@code /series}, a query grouped by the key label)
 * asks every owning member and merges, each item taken from the owner of its key. A member that
 * does not answer, and partitions no one owns right now, are named in {@code partial}: never left
 * out silently. The hop to another node carries {@link #HOP}; a node answers a hop itself, so a
 * request travels at most once.
 *
 * <p>Registered on each HTTP verticle before the local handlers, which it hands a request on to
 * ({@code ctx.next()}) when this node is the one to answer.
 */
final class ClusterReads {

  /** Marks a request forwarded by another node (its value: that node's name). */
  static final String HOP = "X-Rollguard-Hop";

  /** The node that answered a forwarded request. */
  static final String ANSWERED_BY = "X-Rollguard-Node";

  private static final int FORWARD_TIMEOUT_MILLIS = 5_000;
  private static final int FAN_OUT_TIMEOUT_MILLIS = 2_000;
  private static final int DEFAULT_INCIDENTS = 100;
  private static final int DEFAULT_SERIES = 1_000;

  /** The largest answer a member may give to a hop (a list of every series of its keys). */
  static final int MAX_ANSWER_BYTES = 64 * 1024 * 1024;

  private final ClusterNode node;
  private final RulesService rules;
  private final Clock clock;
  private final HttpClient http;
  private final boolean tls;
  private final io.vertx.core.Vertx vertx;

  ClusterReads(
      io.vertx.core.Vertx vertx, ClusterNode node, RulesService rules, Clock clock, boolean tls) {
    this.vertx = vertx;
    this.node = node;
    this.rules = rules;
    this.clock = clock;
    this.tls = tls;
    this.http =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setKeepAlive(true)
                .setSsl(tls)
                .setConnectTimeout(FAN_OUT_TIMEOUT_MILLIS));
  }

  /** Routes the cluster-wide reads; each hands on to the local handler when it answers itself. */
  void register(Router router) {
    Function<RoutingContext, String> rollout =
        ctx -> rules.keyOf(AlertEvent.Source.ROLLOUT, ctx.pathParam("name"));
    Function<RoutingContext, String> gate =
        ctx -> rules.keyOf(AlertEvent.Source.ROLLOUT, ctx.pathParam("rollout"));
    router.get("/api/v1/rollouts/:name").handler(toOwner(rollout));
    router
        .put("/api/v1/rollouts/:name/stage")
        .handler(BodyHandler.create(false).setBodyLimit(4_096)) // no uploads to disk
        .handler(toOwner(rollout));
    router.post("/api/v1/gates/:rollout/:verdict").handler(toOwner(gate)); // no body: none read
    router
        .get("/api/v1/rules/:name/history")
        .handler(toOwner(ctx -> rules.keyOf(AlertEvent.Source.RULE, ctx.pathParam("name"))));
    router
        .get("/api/v1/slos/:name/history")
        .handler(toOwner(ctx -> rules.keyOf(AlertEvent.Source.SLO, ctx.pathParam("name"))));
    router.get("/api/v1/query").handler(query(false));
    router.get("/api/v1/query_range").handler(query(true));

    router.get("/api/v1/rules").handler(list("rules", definition(AlertEvent.Source.RULE, "name")));
    router
        .get("/api/v1/alerts")
        .handler(
            list("alerts", item -> rules.keyOf(AlertEvent.Source.RULE, item.getString("rule"))));
    router.get("/api/v1/slos").handler(list("slos", definition(AlertEvent.Source.SLO, "name")));
    router
        .get("/api/v1/rollouts")
        .handler(list("rollouts", definition(AlertEvent.Source.ROLLOUT, "rollout")));
    router.get("/api/v1/series").handler(list("series", this::keyOfLabels));
    router.get("/api/v1/cluster").handler(this::cluster);
    router.get("/api/v1/incidents").handler(this::incidents);
    router.get("/api/v1/incidents/:id").handler(this::incident);
    router.get("/api/v1/incidents/:id/report").handler(this::incident);
  }

  private Function<JsonObject, String> definition(AlertEvent.Source source, String field) {
    return item -> rules.keyOf(source, item.getString(field));
  }

  private String keyOfLabels(JsonObject item) {
    JsonObject labels = item.getJsonObject("labels");
    return labels == null ? null : labels.getString(node.keyLabel());
  }

  // --- forwarding to the owner ---------------------------------------------------------------

  /** Answers here when this node owns the key (or there is none), else asks its owner. */
  private Handler<RoutingContext> toOwner(Function<RoutingContext, String> keyOf) {
    return ctx -> {
      String key = keyOf.apply(ctx);
      route(ctx, key);
    };
  }

  private void route(RoutingContext ctx, String key) {
    if (key == null) {
      ctx.next(); // no such definition here: the local handler says so
      return;
    }
    int p = node.partitionOf(key);
    if (node.ownsPartition(p)) {
      ctx.next();
      return;
    }
    if (ctx.request().getHeader(HOP) != null) {
      unavailable(
          ctx,
          "partition "
              + p
              + " (key '"
              + key
              + "') moved away from node "
              + node.nodeId()
              + " while the request was on its way; try again");
      return;
    }
    Membership.Member owner = node.membership().owners(clock.wallTimeMillis()).get(p);
    if (owner == null || owner.node().equals(node.nodeId())) {
      unavailable(
          ctx,
          "partition "
              + p
              + " (key '"
              + key
              + "') has no owner right now: the group is rebalancing or its new owner is"
              + " rebuilding it; try again");
      return;
    }
    Buffer body = ctx.body() == null ? null : ctx.body().buffer();
    call(
            owner,
            ctx.request().method(),
            ctx.request().uri(),
            ctx.request().headers(),
            body,
            FORWARD_TIMEOUT_MILLIS)
        .onSuccess(
            answer -> {
              var response = ctx.response().setStatusCode(answer.status());
              answer.headers().forEach(response::putHeader);
              response.putHeader(ANSWERED_BY, owner.node()).end(answer.body());
            })
        .onFailure(
            e ->
                unavailable(
                    ctx,
                    "the owner of key '"
                        + key
                        + "' (node "
                        + owner.node()
                        + " at "
                        + owner.address()
                        + ") did not answer: "
                        + e.getMessage()));
  }

  /**
   * {@code /api/v1/query} and {@code query_range}: forwarded when the key label is matched exactly;
   * fanned out and merged when the results are grouped by it; else refused (a group that spans keys
   * would need every owner's accumulators).
   */
  private Handler<RoutingContext> query(boolean range) {
    return ctx -> {
      String value = ctx.request().getParam(node.keyLabel());
      boolean exact = value != null && !value.startsWith("~") && !value.startsWith("!");
      if (exact) {
        route(ctx, value);
        return;
      }
      if (ctx.request().getHeader(HOP) != null) {
        ctx.next(); // one member's part of a fan-out
        return;
      }
      String by = ctx.request().getParam("by", "");
      boolean byKey =
          java.util.Arrays.stream(by.split(","))
              .map(String::trim)
              .anyMatch(node.keyLabel()::equals);
      if (!byKey) {
        answer(
            ctx,
            400,
            "in cluster mode a query names one "
                + node.keyLabel()
                + " ("
                + node.keyLabel()
                + "=checkout) or groups by it (by="
                + node.keyLabel()
                + "): each "
                + node.keyLabel()
                + " is evaluated on the node that owns it");
        return;
      }
      String uri = ctx.request().uri();
      if (range && ctx.request().getParam("end") == null) {
        // every member answers for the same instants
        uri += (uri.contains("?") ? "&" : "?") + "end=" + clock.wallTimeMillis();
      }
      fanOut(ctx, uri, "results", this::keyOfLabels, false);
    };
  }

  // --- fan-out -------------------------------------------------------------------------------

  private Handler<RoutingContext> list(String array, Function<JsonObject, String> keyOf) {
    return ctx -> {
      if (ctx.request().getHeader(HOP) != null) {
        ctx.next();
        return;
      }
      fanOut(ctx, ctx.request().uri(), array, keyOf, true);
    };
  }

  /** One member's answer to a fan-out, or why there is none. */
  private record Part(Membership.Member member, JsonObject body, String error) {}

  /** Asks every owning member (and this node) and merges their lists, each item from its owner. */
  private void fanOut(
      RoutingContext ctx,
      String uri,
      String array,
      Function<JsonObject, String> keyOf,
      boolean inSelfOrder) {
    int limit = array.equals("series") ? intParam(ctx, "limit", DEFAULT_SERIES) : Integer.MAX_VALUE;
    merged(
        ctx,
        uri,
        parts -> {
          Map<Integer, String> owners = owners();
          JsonObject self = parts.get(0).body();
          JsonObject out = self.copy();
          List<JsonObject> items = new ArrayList<>();
          long total = 0;
          boolean truncated = false;
          double widest = 0;
          for (Part part : parts) {
            if (part.body() == null) {
              continue;
            }
            String answering = part.member().node();
            for (Object o : part.body().getJsonArray(array, new JsonArray())) {
              if (o instanceof JsonObject item && kept(item, keyOf, owners, answering)) {
                items.add(item);
              }
            }
            total += part.body().getLong("total", 0L);
            truncated |= part.body().getBoolean("truncated", false);
            Object error = part.body().getValue("quantile_relative_error");
            if (error instanceof Number n) {
              widest = Math.max(widest, n.doubleValue());
            }
          }
          if (inSelfOrder) {
            Map<String, Integer> order = new HashMap<>();
            JsonArray own = self.getJsonArray(array, new JsonArray());
            for (int i = 0; i < own.size(); i++) {
              if (own.getValue(i) instanceof JsonObject item) {
                order.putIfAbsent(identity(item), i);
              }
            }
            items.sort(
                Comparator.comparingInt(item -> order.getOrDefault(identity(item), own.size())));
          }
          if (items.size() > limit) {
            items = items.subList(0, limit);
            truncated = true;
          }
          out.put(array, new JsonArray(new ArrayList<Object>(items)));
          if (out.containsKey("total")) {
            out.put("total", total).put("truncated", truncated);
          }
          if (out.containsKey("quantile_relative_error")) {
            out.put("quantile_relative_error", widest);
          }
          return out.put("partial", partial(parts, owners));
        });
  }

  private static int intParam(RoutingContext ctx, String name, int otherwise) {
    try {
      return Integer.parseInt(ctx.request().getParam(name, String.valueOf(otherwise)));
    } catch (NumberFormatException e) {
      return otherwise; // this node's own answer refuses it first
    }
  }

  /** One member's reply to a hop: its answer, or why there is none. */
  private record Reply(Membership.Member member, Answer answer, String error) {}

  /** What a merge gives: the body, or why this node cannot give one. */
  private record Merged(Buffer body, String error) {}

  /**
   * Asks every owning member (and this node) for {@code uri}, then parses and merges the answers on
   * a worker thread (they can be large): answers with this node's own answer when that is not a 200
   * (a bad parameter is a 400 on one node too), 503 when this node could not ask itself.
   */
  private void merged(
      RoutingContext ctx, String uri, java.util.function.Function<List<Part>, JsonObject> merge) {
    askAll(ctx, uri)
        .onSuccess(
            replies -> {
              Reply self = replies.get(0);
              if (self.answer() != null
                  && self.answer().status() != 200
                  && node.nodeId().equals(self.answer().node())) {
                pass(ctx, self.answer());
                return;
              }
              ctx.vertx()
                  .executeBlocking(
                      () -> {
                        List<Part> parts = replies.stream().map(this::part).toList();
                        if (parts.get(0).body() == null) {
                          return new Merged(null, parts.get(0).error());
                        }
                        return new Merged(merge.apply(parts).toBuffer(), null);
                      },
                      false)
                  .onSuccess(
                      m -> {
                        if (m.body() == null) {
                          unavailable(
                              ctx,
                              "this node could not ask itself at "
                                  + node.address()
                                  + " (cluster.advertise): "
                                  + m.error());
                        } else {
                          ctx.response()
                              .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                              .end(m.body());
                        }
                      })
                  .onFailure(ctx::fail);
            })
        .onFailure(ctx::fail);
  }

  /** A reply read: a 200 JSON object from the member it was sent to, else why not. */
  private Part part(Reply r) {
    Membership.Member m = r.member();
    Answer a = r.answer();
    if (a == null) {
      return new Part(m, null, r.error());
    }
    if (a.node() != null && !a.node().equals(m.node())) {
      return new Part(
          m,
          null,
          "answered by node "
              + a.node()
              + ", not "
              + m.node()
              + " (is its cluster.advertise right?)");
    }
    if (a.status() != 200) {
      return new Part(m, null, "answered " + a.status() + ": " + brief(a.body()));
    }
    try {
      return new Part(m, new JsonObject(a.body()), null);
    } catch (RuntimeException e) {
      return new Part(m, null, "answered no JSON object");
    }
  }

  /** Passes a member's answer on as it is. */
  private static void pass(RoutingContext ctx, Answer answer) {
    var response = ctx.response().setStatusCode(answer.status());
    answer.headers().forEach(response::putHeader);
    response.end(answer.body());
  }

  /** A definition list's item names its definition; a stable identity for the order. */
  private static String identity(JsonObject item) {
    Object name = item.getValue("name", item.getValue("rollout", item.getValue("rule")));
    return String.valueOf(name);
  }

  /** Whether {@code answering} owns the key of {@code item} (items of no key: this node's). */
  private boolean kept(
      JsonObject item,
      Function<JsonObject, String> keyOf,
      Map<Integer, String> owners,
      String answering) {
    String key = keyOf.apply(item);
    if (key == null) {
      return answering.equals(node.nodeId());
    }
    return answering.equals(owners.get(node.partitionOf(key)));
  }

  /** Partition to owning node: the members topic, and this node's own partitions over it. */
  private Map<Integer, String> owners() {
    Map<Integer, String> owners = new HashMap<>();
    node.membership().owners(clock.wallTimeMillis()).forEach((p, m) -> owners.put(p, m.node()));
    for (int p = 0; p < node.partitions(); p++) {
      if (node.ownsPartition(p)) {
        owners.put(p, node.nodeId());
      } else if (node.nodeId().equals(owners.get(p))) {
        owners.remove(p); // this node's record is behind its own state
      }
    }
    return owners;
  }

  /** The partitions {@code node} owns, in order. */
  private static Set<Integer> ownedBy(Map<Integer, String> owners, String node) {
    Set<Integer> out = new TreeSet<>();
    owners.forEach(
        (p, n) -> {
          if (n.equals(node)) {
            out.add(p);
          }
        });
    return out;
  }

  /** Who did not answer, and which partitions no one owns: what the answer lacks. */
  private JsonArray partial(List<Part> parts, Map<Integer, String> owners) {
    JsonArray partial = new JsonArray();
    Set<String> missing = new java.util.HashSet<>();
    for (Part part : parts) {
      if (part.body() == null) {
        missing.add(part.member().node());
        Set<Integer> theirs = ownedBy(owners, part.member().node());
        partial.add(
            new JsonObject()
                .put("node", part.member().node())
                .put("address", part.member().address())
                .put("partitions", new JsonArray(new ArrayList<Object>(theirs)))
                .put("error", part.error()));
      }
    }
    Set<Integer> unowned = new TreeSet<>();
    for (int p = 0; p < node.partitions(); p++) {
      if (!owners.containsKey(p)) {
        unowned.add(p);
      }
    }
    if (!unowned.isEmpty()) {
      partial.add(
          new JsonObject()
              .put("partitions", new JsonArray(new ArrayList<Object>(unowned)))
              .put(
                  "error",
                  "no owner right now (the group is rebalancing or a node is rebuilding)"));
    }
    return partial;
  }

  /** This node first, then every other owning member; each answer or why there is none. */
  private Future<List<Reply>> askAll(RoutingContext ctx, String uri) {
    List<Future<Reply>> asked = new ArrayList<>();
    for (Membership.Member m : targets()) {
      asked.add(
          call(m, HttpMethod.GET, uri, ctx.request().headers(), null, FAN_OUT_TIMEOUT_MILLIS)
              .map(answer -> new Reply(m, answer, null))
              .otherwise(e -> new Reply(m, null, String.valueOf(e.getMessage()))));
    }
    return Future.all(asked).map(all -> asked.stream().map(Future::result).toList());
  }

  /** This node, then every other member that owns a partition. */
  private List<Membership.Member> targets() {
    long now = clock.wallTimeMillis();
    List<Membership.Member> members = new ArrayList<>();
    members.add(new Membership.Member(node.nodeId(), node.address(), 0, Set.of(), now));
    for (Membership.Member m : node.membership().owning(now)) {
      if (!m.node().equals(node.nodeId())) {
        members.add(m);
      }
    }
    return members;
  }

  private static String brief(Buffer body) {
    String s = body.toString();
    return s.length() > 200 ? s.substring(0, 200) + "..." : s;
  }

  /** {@code GET /api/v1/cluster}: this node, and every member as the members topic tells it. */
  private void cluster(RoutingContext ctx) {
    long now = clock.wallTimeMillis();
    Map<Integer, String> owners = owners();
    JsonArray members = new JsonArray();
    for (Membership.Member m : node.membership().all()) {
      Set<Integer> owns = ownedBy(owners, m.node());
      members.add(
          new JsonObject()
              .put("node", m.node())
              .put("address", m.address())
              .put("generation", m.generation())
              .put("claims", new JsonArray(new ArrayList<Object>(new TreeSet<>(m.partitions()))))
              .put("owns", new JsonArray(new ArrayList<Object>(owns)))
              .put("described_at", m.atMillis())
              .put("live", now - m.atMillis() <= ClusterMembers.EXPIRY_MILLIS));
    }
    Set<Integer> mine = new TreeSet<>();
    for (int p = 0; p < node.partitions(); p++) {
      if (node.ownsPartition(p)) {
        mine.add(p);
      }
    }
    ctx.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(
            new JsonObject()
                .put("node", node.nodeId())
                .put("address", node.address())
                .put("key_label", node.keyLabel())
                .put("partitions", node.partitions())
                .put("owned", new JsonArray(new ArrayList<Object>(mine)))
                .put("reading", !node.blind())
                .put("members", members)
                .put("partial", partial(List.of(), owners))
                .toBuffer());
  }

  // --- incidents -----------------------------------------------------------------------------

  /** Every member's incidents, each once (the resolved record over an open one), newest first. */
  private void incidents(RoutingContext ctx) {
    if (ctx.request().getHeader(HOP) != null) {
      ctx.next();
      return;
    }
    int limit;
    try {
      limit = Integer.parseInt(ctx.request().getParam("limit", String.valueOf(DEFAULT_INCIDENTS)));
    } catch (NumberFormatException e) {
      ctx.next(); // the local handler explains
      return;
    }
    int max = limit;
    merged(
        ctx,
        ctx.request().uri(),
        parts -> {
          Map<String, JsonObject> byId = new LinkedHashMap<>();
          for (Part part : parts) {
            if (part.body() == null) {
              continue;
            }
            for (Object o : part.body().getJsonArray("incidents", new JsonArray())) {
              if (o instanceof JsonObject i) {
                byId.merge(
                    i.getString("id"),
                    i,
                    (a, b) -> "resolved".equals(b.getString("state")) ? b : a);
              }
            }
          }
          List<JsonObject> all = new ArrayList<>(byId.values());
          all.sort(Comparator.comparingLong(ClusterReads::firedAt).reversed());
          JsonArray out = new JsonArray();
          all.stream().limit(Math.max(0, max)).forEach(out::add);
          return new JsonObject().put("incidents", out).put("partial", partial(parts, owners()));
        });
  }

  private static long firedAt(JsonObject incident) {
    String at = incident.getString("fired_at");
    try {
      return at == null ? 0 : Instant.parse(at).toEpochMilli();
    } catch (RuntimeException e) {
      return 0;
    }
  }

  /** One incident (or its report) from whichever member has it; a resolved record first. */
  private void incident(RoutingContext ctx) {
    if (ctx.request().getHeader(HOP) != null) {
      ctx.next();
      return;
    }
    askAll(ctx, ctx.request().uri())
        .onSuccess(
            replies -> {
              Answer best = null;
              String missing = null;
              for (Reply r : replies) {
                Answer a = r.answer();
                if (a == null || a.status() >= 500) {
                  missing = r.member().node() + ": " + (a == null ? r.error() : a.status());
                } else if (a.status() == 200
                    && (best == null || a.body().toString().contains("\"state\":\"resolved\""))) {
                  best = a;
                }
              }
              if (best != null) {
                pass(ctx, best);
              } else if (missing != null) {
                unavailable(
                    ctx, "no node that answered has this incident; not answered: " + missing);
              } else {
                ctx.next(); // no member has it: this node's 404
              }
            })
        .onFailure(ctx::fail);
  }

  // --- the hop -------------------------------------------------------------------------------

  /** A member's answer: status, the headers worth passing on, body, the node that answered. */
  private record Answer(int status, Map<String, String> headers, Buffer body, String node) {}

  private Future<Answer> call(
      Membership.Member to,
      HttpMethod method,
      String uri,
      MultiMap incoming,
      Buffer body,
      int timeoutMillis) {
    int colon = to.address().lastIndexOf(':');
    if (colon <= 0) {
      return Future.failedFuture("no address");
    }
    String host = to.address().substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(to.address().substring(colon + 1));
    } catch (NumberFormatException e) {
      return Future.failedFuture("bad address " + to.address());
    }
    RequestOptions options =
        new RequestOptions()
            .setMethod(method)
            .setHost(host)
            .setPort(port)
            .setSsl(tls)
            .setURI(uri)
            .setConnectTimeout(timeoutMillis)
            .setIdleTimeout(timeoutMillis);
    Promise<Answer> answer = Promise.promise();
    AtomicReference<io.vertx.core.http.HttpClientRequest> sent = new AtomicReference<>();
    // the whole exchange is bounded, not only the silences in it (a member trickling bytes)
    long timer =
        vertx.setTimer(
            timeoutMillis,
            t -> {
              if (answer.tryFail("no answer within " + timeoutMillis + " ms")
                  && sent.get() != null) {
                sent.get().reset();
              }
            });
    http.request(options)
        .compose(
            request -> {
              sent.set(request);
              List<CharSequence> passed =
                  new ArrayList<>(List.of(HttpHeaders.CONTENT_TYPE, HttpHeaders.ACCEPT));
              if (method != HttpMethod.GET) {
                passed.add(HttpHeaders.AUTHORIZATION); // only writes check the admin token
              }
              for (CharSequence h : passed) {
                String v = incoming.get(h);
                if (v != null) {
                  request.putHeader(h, v);
                }
              }
              request.putHeader(HOP, node.nodeId());
              return body == null ? request.send() : request.send(body);
            })
        .compose(response -> capped(response).map(b -> answerOf(response, b)))
        .onComplete(
            ar -> {
              vertx.cancelTimer(timer);
              if (ar.succeeded()) {
                answer.tryComplete(ar.result());
              } else {
                answer.tryFail(ar.cause());
              }
            });
    return answer.future();
  }

  /** A member's body, refused past {@link #MAX_ANSWER_BYTES} (what is held is what was read). */
  private static Future<Buffer> capped(io.vertx.core.http.HttpClientResponse response) {
    Promise<Buffer> done = Promise.promise();
    Buffer all = Buffer.buffer();
    response.handler(
        chunk -> {
          if (all.length() + chunk.length() > MAX_ANSWER_BYTES) {
            if (done.tryFail("answer larger than " + MAX_ANSWER_BYTES + " bytes")) {
              response.request().reset();
            }
          } else {
            all.appendBuffer(chunk);
          }
        });
    response.exceptionHandler(done::tryFail);
    response.endHandler(v -> done.tryComplete(all));
    return done.future();
  }

  private static Answer answerOf(io.vertx.core.http.HttpClientResponse response, Buffer b) {
    Map<String, String> headers = new LinkedHashMap<>();
    for (CharSequence h :
        List.of(
            HttpHeaders.CONTENT_TYPE,
            HttpHeaders.RETRY_AFTER,
            HttpHeaders.createOptimized("WWW-Authenticate"))) {
      String v = response.getHeader(h);
      if (v != null) {
        headers.put(h.toString(), v);
      }
    }
    return new Answer(response.statusCode(), headers, b, response.getHeader(ANSWERED_BY));
  }

  private static void unavailable(RoutingContext ctx, String why) {
    ctx.response().putHeader(HttpHeaders.RETRY_AFTER, "1");
    answer(ctx, 503, why);
  }

  private static void answer(RoutingContext ctx, int status, String error) {
    ctx.response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(new JsonObject().put("error", error).toBuffer());
  }
}
