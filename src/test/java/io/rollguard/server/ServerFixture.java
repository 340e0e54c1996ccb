package io.rollguard.server;

import io.rollguard.clock.Clock;
import io.rollguard.config.RollguardConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxTestContext;

/** A real server for one test: started by the test, closed in its {@code @AfterEach}. */
final class ServerFixture {

  private RollguardServer server;

  /** Starts the server; the future holds a client aimed at it. */
  Future<WebClient> start(Vertx vertx, RollguardConfig config, Clock clock) {
    return RollguardServer.start(config, clock)
        .map(
            s -> {
              server = s;
              return WebClient.create(
                  vertx,
                  new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(s.port()));
            });
  }

  RollguardServer server() {
    return server;
  }

  /** Closes the server if the test started one, then completes {@code ctx}. */
  void stop(VertxTestContext ctx) {
    if (server == null) {
      ctx.completeNow();
    } else {
      server.close().onComplete(ctx.succeedingThenComplete());
    }
  }
}
