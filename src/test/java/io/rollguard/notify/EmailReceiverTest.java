package io.rollguard.notify;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollguard.alerting.AlertEvent;
import io.rollguard.config.ConfigLoader;
import io.rollguard.config.RollguardConfig;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import jakarta.mail.Multipart;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The email receiver against a real SMTP server (STARTTLS and AUTH required): what arrives, and
 * what the SMTP reply classes make of an attempt (4yz retried on virtual time, 5yz given up on).
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class EmailReceiverTest {

  private SmtpReceiver smtp;

  @AfterEach
  void stop() {
    if (smtp != null) {
      smtp.close();
    }
  }

  private RollguardConfig.Receiver receiver(String password, String extra) throws Exception {
    String yaml =
        "receivers:\n"
            + "  team-mail:\n"
            + "    type: email\n"
            + "    host: 127.0.0.1\n"
            + "    port: "
            + smtp.port()
            + "\n"
            + "    ca_file: "
            + SmtpReceiver.CERT.toAbsolutePath()
            + "\n"
            + "    username: rollguard\n"
            + "    password: \"${SMTP_PASSWORD}\"\n"
            + "    from: Rollguard <rollguard@example.com>\n"
            + "    to: [sre@example.com, \"Deploys <deploys@example.com>\"]\n"
            + "    initial_backoff: 100ms\n"
            + "    timeout: 5s\n"
            + extra;
    RollguardConfig config =
        ConfigLoader.parse(
            "rollguard.yaml",
            yaml,
            Path.of("."),
            name -> name.equals("SMTP_PASSWORD") ? password : null);
    return config.receivers().get("team-mail");
  }

  /** The harness runs retries on virtual time; the transport's clock only measures latency. */
  private static DeliveryHarness harness(Vertx vertx, RollguardConfig.Receiver r) {
    return new DeliveryHarness(
        vertx,
        r,
        new MailTransport(
            vertx,
            r.email(),
            r.delivery().timeout().toMillis(),
            io.rollguard.clock.Clock.system()));
  }

  private static String part(MimeMessage m, String type) throws Exception {
    Multipart mp = (Multipart) m.getContent();
    for (int i = 0; i < mp.getCount(); i++) {
      if (mp.getBodyPart(i).isMimeType(type)) {
        return (String) mp.getBodyPart(i).getContent();
      }
    }
    throw new AssertionError("no " + type + " part");
  }

  @Test
  void aFiringArrivesOverStartTlsWithAuthWithBothBodiesAndStableHeaders(
      Vertx vertx, VertxTestContext test) throws Exception {
    smtp = new SmtpReceiver(0);
    DeliveryHarness h = harness(vertx, receiver(SmtpReceiver.PASSWORD, ""));
    h.send(Alerts.notification("1", Notification.Event.FIRING, Alerts.firing("inc1")))
        .compose(v -> h.next("delivered"))
        .compose(
            report -> {
              test.verify(
                  () -> {
                    assertThat(report).isEqualTo("delivered after 1 attempt");
                    assertThat(smtp.logins).containsExactly("rollguard");
                    MimeMessage m = smtp.accepted.get(0);
                    assertThat(m.getSubject())
                        .isEqualTo("[FIRING] canary-p95: checkout canary p95 812.3ms");
                    assertThat(m.getHeader("From")[0]).contains("rollguard@example.com");
                    assertThat(String.join(",", m.getHeader("To")))
                        .contains("sre@example.com")
                        .contains("deploys@example.com");
                    assertThat(m.getHeader("Message-ID")[0]).isEqualTo("<inc1.firing@example.com>");
                    assertThat(m.getHeader("Auto-Submitted")[0]).isEqualTo("auto-generated");
                    assertThat(m.getHeader("X-Rollguard-Incident")[0]).isEqualTo("inc1");
                    assertThat(m.isMimeType("multipart/alternative")).isTrue();
                    String text = part(m, "text/plain");
                    assertThat(text)
                        .contains("FIRING: canary-p95")
                        .contains("Value:     812.3ms > 500ms")
                        .contains("Condition: p95 > 500ms over 1m")
                        .contains("p95 = 812.3ms (1234 samples, ±0.39%)")
                        .contains("service = checkout")
                        .contains("runbook: https://wiki/runbook")
                        .contains("http://rollguard.test:8080/api/v1/incidents/inc1")
                        .contains("http://rollguard.test:8080/api/v1/incidents/inc1/report");
                    String html = part(m, "text/html");
                    assertThat(html)
                        .contains("<h2 style=\"color:#cf222e\">FIRING: canary-p95</h2>")
                        .contains("p95 = 812.3ms (1234 samples, ±0.39%)")
                        .contains(
                            "<a href=\"http://rollguard.test:8080/api/v1/incidents/inc1/report\">");
                  });
              return h.send(
                  Alerts.notification("2", Notification.Event.RESOLVED, Alerts.resolved("inc1")));
            })
        .compose(v -> h.next("delivered"))
        .onComplete(
            test.succeeding(
                v ->
                    test.verify(
                        () -> {
                          MimeMessage m = smtp.accepted.get(1);
                          assertThat(m.getSubject()).startsWith("[RESOLVED] canary-p95");
                          // threads under its firing
                          assertThat(m.getHeader("In-Reply-To")[0])
                              .isEqualTo("<inc1.firing@example.com>");
                          assertThat(m.getHeader("Message-ID")[0])
                              .isEqualTo("<inc1.resolved@example.com>");
                          test.completeNow();
                        })));
  }

  @Test
  void aTransientReplyIsRetriedAndAPermanentOneIsNot(Vertx vertx, VertxTestContext test)
      throws Exception {
    smtp = new SmtpReceiver(451, 0, 550);
    DeliveryHarness h = harness(vertx, receiver(SmtpReceiver.PASSWORD, ""));
    h.send(Alerts.notification("1", Notification.Event.FIRING, Alerts.firing("inc1")))
        .compose(v -> h.next("attempt 1"))
        .compose(
            first -> {
              test.verify(
                  () ->
                      assertThat(first)
                          .startsWith("attempt 1: SMTP 451: ")
                          .contains("try again later")
                          .endsWith("-> retry in 75 ms"));
              return h.advance(75);
            })
        .compose(v -> h.next("delivered"))
        .compose(
            delivered -> {
              test.verify(
                  () -> {
                    assertThat(delivered).isEqualTo("delivered after 2 attempts");
                    assertThat(smtp.accepted).hasSize(1);
                  });
              return h.send(
                  Alerts.notification("2", Notification.Event.FIRING, Alerts.firing("inc2")));
            })
        .compose(v -> h.next("gave up"))
        .onComplete(
            test.succeeding(
                gaveUp ->
                    test.verify(
                        () -> {
                          assertThat(gaveUp)
                              .startsWith("gave up: SMTP 550: ")
                              .contains("no such user")
                              .endsWith("(not retried)");
                          assertThat(smtp.accepted).hasSize(1);
                          test.completeNow();
                        })));
  }

  @Test
  void aWrongPasswordIsPermanentAndNeverLogged(Vertx vertx, VertxTestContext test)
      throws Exception {
    smtp = new SmtpReceiver(0);
    RollguardConfig.Receiver r = receiver("wrong-password", "");
    assertThat(r.toString()).doesNotContain("wrong-password");
    assertThat(r.email().toString()).doesNotContain("wrong-password");
    DeliveryHarness h = harness(vertx, r);
    h.send(Alerts.notification("1", Notification.Event.FIRING, Alerts.firing("inc1")))
        .compose(v -> h.next("gave up"))
        .onComplete(
            test.succeeding(
                gaveUp ->
                    test.verify(
                        () -> {
                          assertThat(gaveUp)
                              .startsWith("gave up: SMTP 535")
                              .doesNotContain("wrong-password");
                          assertThat(smtp.accepted).isEmpty();
                          test.completeNow();
                        })));
  }

  @Test
  void aLabelValueCannotAddAHeader(Vertx vertx, VertxTestContext test) throws Exception {
    smtp = new SmtpReceiver(0);
    DeliveryHarness h =
        harness(
            vertx,
            receiver(SmtpReceiver.PASSWORD, "    subject: \"{{status}} {{labels.service}}\"\n"));
    AlertEvent hostile =
        Alerts.firing("inc1").toBuilder()
            .labels(Map.of("service", "checkout\r\nBcc: attacker@evil.example"))
            .build();
    h.send(Alerts.notification("1", Notification.Event.FIRING, hostile))
        .compose(v -> h.next("delivered"))
        .onComplete(
            test.succeeding(
                v ->
                    test.verify(
                        () -> {
                          MimeMessage m = smtp.accepted.get(0);
                          assertThat(m.getSubject())
                              .isEqualTo("FIRING checkout Bcc: attacker@evil.example");
                          assertThat(m.getHeader("Bcc")).isNull();
                          assertThat(part(m, "text/html")).doesNotContain("<script");
                          test.completeNow();
                        })));
  }

  @Test
  void badSettingsAreLoadErrorsWithPositions() {
    var e =
        org.assertj.core.api.Assertions.catchThrowableOfType(
            ConfigLoader.InvalidConfigException.class,
            () ->
                ConfigLoader.parse(
                    "rollguard.yaml",
                    """
                    receivers:
                      mail:
                        type: email
                        host: smtp.example.com
                        tls: none
                        username: u
                        password: p
                        from: not-an-address
                        subject: "{{status}} {{nope}}"
                    """,
                    Path.of("."),
                    n -> null));
    assertThat(e.getMessage())
        .contains("rollguard.yaml:6:15: receiver 'mail': a password is never sent over a plain")
        .contains("rollguard.yaml:8:11: receiver 'mail': 'from' is not an address")
        .contains("rollguard.yaml:3:5: receiver 'mail': type email needs 'to'")
        .contains("rollguard.yaml:9:14: receiver 'mail': unknown placeholder {{nope}}");
  }
}
