package io.rollguard.notify;

import com.fasterxml.jackson.databind.JsonNode;
import io.rollguard.clock.Clock;
import io.rollguard.config.RollguardConfig;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.mail.LoginOption;
import io.vertx.ext.mail.MailClient;
import io.vertx.ext.mail.MailConfig;
import io.vertx.ext.mail.MailMessage;
import io.vertx.ext.mail.SMTPException;
import io.vertx.ext.mail.StartTLSOptions;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Sends an {@link EmailFormat} message with Vert.x's SMTP client: STARTTLS (required) or TLS from
 * the first byte, the JVM's trust store or (with {@code ca_file}) only those certificates, host
 * names verified, AUTH only over TLS. The answer is an {@link RetryPolicy.Attempt} with the SMTP
 * reply code: 250 delivered, 4yz retried, 5yz given up on (and passed to the fallback); no answer
 * (refused, timeout, TLS failure) is status 0 and retried. Must be used from a Vert.x context;
 * thread-safe as the client is.
 */
final class MailTransport implements Transport {

  private final MailClient client;
  private final Clock clock;

  MailTransport(Vertx vertx, RollguardConfig.Email email, long timeoutMillis, Clock clock) {
    this.clock = clock;
    MailConfig config =
        new MailConfig()
            .setHostname(email.host())
            .setPort(email.port())
            .setSsl(email.tls().equals("tls"))
            .setStarttls(
                email.tls().equals("starttls")
                    ? StartTLSOptions.REQUIRED
                    : StartTLSOptions.DISABLED)
            .setHostnameVerificationAlgorithm("HTTPS")
            .setKeepAlive(true)
            .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeoutMillis))
            .setIdleTimeout((int) Math.max(1, timeoutMillis / 1_000))
            .setIdleTimeoutUnit(TimeUnit.SECONDS)
            .setUserAgent("Rollguard");
    if (email.caFile() != null) {
      config.setTrustOptions(new PemTrustOptions().addCertPath(email.caFile()));
    }
    if (email.username() != null) {
      config
          .setLogin(LoginOption.REQUIRED)
          .setUsername(email.username())
          .setPassword(email.password());
    } else {
      config.setLogin(LoginOption.DISABLED);
    }
    this.client = MailClient.create(vertx, config);
  }

  @Override
  public Future<RetryPolicy.Attempt> send(
      String url, Format.Body body, Map<String, String> headers, long timeoutMillis) {
    long started = clock.monotonicTimeNanos();
    MailMessage message;
    try {
      message = message(Payloads.MAPPER.readTree(body.bytes()));
    } catch (IOException e) {
      return Future.succeededFuture(
          new RetryPolicy.Attempt(
              554, "unreadable message: " + e.getMessage(), -1, 0, true)); // permanent
    }
    Promise<RetryPolicy.Attempt> result = Promise.promise();
    client
        .sendMail(message)
        .timeout(timeoutMillis * 3, TimeUnit.MILLISECONDS) // connect, TLS and the reply each
        .onComplete(
            ar ->
                result.complete(
                    ar.succeeded()
                        ? new RetryPolicy.Attempt(
                            250, null, RetryPolicy.Attempt.NO_RETRY_AFTER, elapsed(started), true)
                        : failure(ar.cause(), timeoutMillis, started)));
    return result.future();
  }

  Future<Void> close() {
    return client.close();
  }

  private RetryPolicy.Attempt failure(Throwable cause, long timeoutMillis, long started) {
    if (cause instanceof SMTPException smtp) {
      return new RetryPolicy.Attempt(
          smtp.getReplyCode(),
          NotificationText.cut(smtp.getReplyMessage().strip(), HttpTransport.MAX_ERROR_CHARS),
          RetryPolicy.Attempt.NO_RETRY_AFTER,
          elapsed(started),
          true);
    }
    String what =
        cause instanceof TimeoutException
                || String.valueOf(cause.getMessage()).toLowerCase(Locale.ROOT).contains("timeout")
            ? "timeout after " + timeoutMillis + " ms"
            : cause.getClass().getSimpleName() + ": " + cause.getMessage();
    return new RetryPolicy.Attempt(
        0, NotificationText.cut(what, HttpTransport.MAX_ERROR_CHARS), -1, elapsed(started), true);
  }

  private long elapsed(long startedNanos) {
    return (clock.monotonicTimeNanos() - startedNanos) / 1_000_000;
  }

  private static MailMessage message(JsonNode o) {
    List<String> to = new ArrayList<>();
    o.path("to").forEach(t -> to.add(t.asText()));
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    o.path("headers").properties().forEach(e -> headers.add(e.getKey(), e.getValue().asText()));
    return new MailMessage()
        .setFrom(o.path("from").asText())
        .setTo(to)
        .setSubject(o.path("subject").asText())
        .setText(o.path("text").asText())
        .setHtml(o.path("html").asText())
        .setHeaders(headers);
  }
}
