package io.rollguard.server;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Closes connections that have had no request in progress for {@code server.idle_timeout}: idle
 * keep-alive connections, and connections whose request headers never complete (slowloris). Vert.x
 * hands a request to the application only once its headers are in, so a connection that trickles
 * headers counts as having no request, however many bytes it sends. Requests in progress are
 * bounded elsewhere (ingest's body deadline, Vert.x's idle timeout for silence).
 *
 * <p>Event-loop confined: one guard per HTTP server instance, whose connections all live on its
 * event loop.
 */
final class ConnectionGuard {

  private static final class State {
    int inProgress;
    long timer = -1;
  }

  private final Vertx vertx;
  private final long idleMillis;
  private final Map<HttpConnection, State> connections = new IdentityHashMap<>();

  ConnectionGuard(Vertx vertx, long idleMillis) {
    this.vertx = vertx;
    this.idleMillis = idleMillis;
  }

  /** A connection was accepted: it must bring a request within the idle timeout. */
  void opened(HttpConnection connection) {
    State state = new State();
    connections.put(connection, state);
    arm(connection, state);
    connection.closeHandler(
        v -> {
          State gone = connections.remove(connection);
          if (gone != null) {
            cancel(gone);
          }
        });
  }

  /** Its headers are in: the connection is busy until the response has ended. */
  void requestStarted(HttpServerRequest request) {
    HttpConnection connection = request.connection();
    State state = connections.get(connection);
    if (state == null) {
      return;
    }
    state.inProgress++;
    cancel(state);
    request
        .response()
        .endHandler(
            v -> {
              state.inProgress--;
              if (state.inProgress == 0 && connections.get(connection) == state) {
                arm(connection, state);
              }
            });
  }

  private void arm(HttpConnection connection, State state) {
    cancel(state);
    state.timer =
        vertx.setTimer(
            idleMillis,
            t -> {
              state.timer = -1;
              if (state.inProgress == 0) {
                connection.close();
              }
            });
  }

  private void cancel(State state) {
    if (state.timer >= 0) {
      vertx.cancelTimer(state.timer);
      state.timer = -1;
    }
  }
}
