package io.rollguard.server;

import io.rollguard.notify.WebhookSigner;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

/**
 * A real receiver for server tests: one HTTP server on port 0 that keeps every request (path,
 * headers, body) and answers as the test says, by path (204 unless told otherwise).
 */
final class RecordingReceiver {

  /** One request as it arrived. */
  record Got(String path, MultiMap headers, Buffer body) {
    JsonObject json() {
      return body.toJsonObject();
    }

    /** Whether the Standard Webhooks signature verifies with {@code secret}. */
    boolean signedWith(String secret) {
      return WebhookSigner.fromSecret(secret)
          .verify(
              headers.get("webhook-id"),
              Long.parseLong(headers.get("webhook-timestamp")),
              body.getBytes(),
              headers.get("webhook-signature"));
    }
  }

  final List<Got> got = new CopyOnWriteArrayList<>();
  private int port;

  /** A receiver answering 204 to everything. */
  static Future<RecordingReceiver> start(Vertx vertx) {
    return start(vertx, (path, response) -> response.setStatusCode(204).end());
  }

  /** A receiver answering each request with {@code answer(path, response)}. */
  static Future<RecordingReceiver> start(
      Vertx vertx, BiConsumer<String, HttpServerResponse> answer) {
    RecordingReceiver r = new RecordingReceiver();
    return vertx
        .createHttpServer()
        .requestHandler(
            req ->
                req.body()
                    .onSuccess(
                        body -> {
                          r.got.add(
                              new Got(
                                  req.path(),
                                  MultiMap.caseInsensitiveMultiMap().addAll(req.headers()),
                                  body));
                          answer.accept(req.path(), req.response());
                        }))
        .listen(0, "127.0.0.1")
        .map(
            s -> {
              r.port = s.actualPort();
              return r;
            });
  }

  int port() {
    return port;
  }

  /** {@code http://127.0.0.1:<port><path>}. */
  String url(String path) {
    return "http://127.0.0.1:" + port + path;
  }

  /** What arrived at {@code path}, in order. */
  List<Got> at(String path) {
    return got.stream().filter(g -> g.path().equals(path)).toList();
  }
}
