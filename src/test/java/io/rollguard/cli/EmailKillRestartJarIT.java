package io.rollguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollguard.notify.SmtpReceiver;
import jakarta.mail.internet.MimeMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real jar with an email receiver, killed with {@code kill -9} while the SMTP server answers
 * 451 (try again later): after the restart the email is delivered from the outbox, once, with the
 * Message-ID it was first sent with, although the breach goes on.
 */
class EmailKillRestartJarIT {

  @TempDir Path dir;

  private SmtpReceiver smtp;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @AfterEach
  void stopSmtp() {
    if (smtp != null) {
      smtp.close();
    }
  }

  private void push(String base) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/api/v1/ingest"))
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"service\":\"checkout\",\"requests\":["
                            + "{\"latency_ms\":10,\"ok\":false},".repeat(19)
                            + "{\"latency_ms\":10,\"ok\":false}]}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
  }

  /** Pushes failing traffic every 100 ms until {@code done}, for at most {@code millis}. */
  private boolean pushUntil(String base, BooleanSupplier done, long millis) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMillis(millis).toNanos();
    while (System.nanoTime() < deadline) {
      push(base);
      if (done.getAsBoolean()) {
        return true;
      }
      http.send( // paces the loop on the server's answer, not on a sleep
          HttpRequest.newBuilder(URI.create(base + "/healthz")).build(),
          HttpResponse.BodyHandlers.discarding());
    }
    return false;
  }

  private long transient451s() {
    return smtp.replies().stream().filter(r -> r == 451).count();
  }

  @Test
  void aPendingEmailSurvivesKillNineAndIsDeliveredOnce() throws Exception {
    smtp = new SmtpReceiver(451);
    Files.createDirectories(dir.resolve("rules"));
    Files.writeString(
        dir.resolve("rules/errors.yaml"),
        """
        rules:
          - {name: checkout-errors, select: {service: checkout}, window: 2s,
             when: error_rate > 50%, severity: critical}
        """);
    Files.writeString(
        dir.resolve("rollguard.yaml"),
        "server: {host: 127.0.0.1, port: 0}\n"
            + "data_dir: state\nevaluation_interval: 200ms\nrules: [rules]\n"
            + "receivers:\n  mail:\n    type: email\n    host: 127.0.0.1\n    port: "
            + smtp.port()
            + "\n    ca_file: "
            + SmtpReceiver.CERT.toAbsolutePath()
            + "\n    username: "
            + SmtpReceiver.USER
            + "\n    password: \"${SMTP_PASSWORD}\"\n"
            + "    from: rollguard@example.com\n    to: sre@example.com\n"
            + "    initial_backoff: 50ms\n    max_backoff: 100ms\n    max_attempts: 1000\n"
            + "routes: {critical: [mail]}\n");
    Map<String, String> env = Map.of("SMTP_PASSWORD", SmtpReceiver.PASSWORD);

    // First life: the breach fires; the SMTP server says 451, so the email stays in the outbox.
    RollguardProcess first =
        RollguardProcess.start(dir, env, "serve", "--config", "rollguard.yaml");
    String base = "http://127.0.0.1:" + first.port(60);
    assertThat(pushUntil(base, () -> transient451s() >= 2, 20_000))
        .as("SMTP replies: %s", smtp.replies())
        .isTrue();
    first.kill();
    assertThat(smtp.accepted).isEmpty();
    try (var pending = Files.list(dir.resolve("state/outbox"))) {
      assertThat(pending.filter(p -> p.toString().endsWith(".json"))).isNotEmpty();
    }

    // Second life: the server accepts now; the breach goes on.
    smtp.answerWith(0);
    try (RollguardProcess second =
        RollguardProcess.start(dir, env, "serve", "--config", "rollguard.yaml")) {
      String base2 = "http://127.0.0.1:" + second.port(60);
      assertThat(pushUntil(base2, () -> !smtp.accepted.isEmpty(), 20_000)).isTrue();
      // keep breaching for two more seconds: no second email for the same incident
      long until = System.nanoTime() + Duration.ofSeconds(2).toNanos();
      while (System.nanoTime() < until) {
        push(base2);
        http.send(
            HttpRequest.newBuilder(URI.create(base2 + "/healthz")).build(),
            HttpResponse.BodyHandlers.discarding());
      }
      assertThat(smtp.accepted).hasSize(1);
      MimeMessage m = smtp.accepted.get(0);
      assertThat(m.getSubject()).startsWith("[FIRING] checkout-errors: ");
      String incident = m.getHeader("X-Rollguard-Incident")[0];
      assertThat(m.getHeader("Message-ID")[0]).isEqualTo("<" + incident + ".firing@example.com>");
      assertThat(second.stderr()).doesNotContain(SmtpReceiver.PASSWORD);
    }
    assertThat(first.stderr()).doesNotContain(SmtpReceiver.PASSWORD);
  }
}
