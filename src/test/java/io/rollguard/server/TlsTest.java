package io.rollguard.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class TlsTest {

  @TempDir Path dataDir;

  private final ServerFixture fixture = new ServerFixture();

  @AfterEach
  void stop(VertxTestContext ctx) {
    fixture.stop(ctx);
  }

  @Test
  void withACertificateAndKeyTheServerSpeaksHttps(Vertx vertx, VertxTestContext ctx)
      throws Exception {
    Path tls = Path.of("src/test/resources/tls").toAbsolutePath();
    String yaml =
        "server: {host: 127.0.0.1, port: 0, tls: {cert: "
            + tls.resolve("test-cert.pem")
            + ", key: "
            + tls.resolve("test-key.pem")
            + "}}\n";
    fixture
        .start(vertx, TestServers.config(dataDir, yaml), TestServers.clock())
        .compose(
            plain -> {
              return WebClient.create(
                      vertx,
                      new WebClientOptions()
                          .setSsl(true)
                          .setTrustOptions(
                              new PemTrustOptions()
                                  .addCertPath(tls.resolve("test-cert.pem").toString()))
                          .setVerifyHost(true))
                  .get(fixture.server().port(), "127.0.0.1", "/healthz")
                  .send();
            })
        .onComplete(
            ctx.succeeding(
                response ->
                    ctx.verify(
                        () -> {
                          assertThat(response.statusCode()).isEqualTo(200);
                          assertThat(response.bodyAsJsonObject().getString("status"))
                              .isEqualTo("ok");
                          ctx.completeNow();
                        })));
  }
}
