package io.rollguard.notify;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A real HTTP receiver on port 0 that answers from a script, one answer per request (the last one
 * repeats), and keeps what it received.
 */
final class ScriptedReceiver {

  /** One request as it arrived. */
  record Received(MultiMap headers, Buffer body, long arrivedAtNanos, String path) {}

  private final Deque<Consumer<HttpServerResponse>> script = new ArrayDeque<>();
  final List<Received> received = new CopyOnWriteArrayList<>();
  private HttpServer server;

  static Consumer<HttpServerResponse> answer(int status, String body, String... headers) {
    return resp -> {
      for (int i = 0; i < headers.length; i += 2) {
        resp.putHeader(headers[i], headers[i + 1]);
      }
      resp.setStatusCode(status).end(body);
    };
  }

  /** Never answers: the sender's timeout must fire. */
  static Consumer<HttpServerResponse> silence() {
    return resp -> {};
  }

  ScriptedReceiver then(Consumer<HttpServerResponse> answer) {
    script.add(answer);
    return this;
  }

  /** Starts listening; the future holds the URL to post to. */
  Future<String> start(Vertx vertx) {
    server =
        vertx
            .createHttpServer()
            .requestHandler(
                req ->
                    req.body()
                        .onSuccess(
                            body -> {
                              received.add(
                                  new Received(
                                      MultiMap.caseInsensitiveMultiMap().addAll(req.headers()),
                                      body,
                                      System.nanoTime(),
                                      req.path()));
                              Consumer<HttpServerResponse> a =
                                  script.size() > 1 ? script.poll() : script.peek();
                              a.accept(req.response());
                            }));
    return server.listen(0, "127.0.0.1").map(s -> "http://127.0.0.1:" + s.actualPort() + "/hook");
  }
}
