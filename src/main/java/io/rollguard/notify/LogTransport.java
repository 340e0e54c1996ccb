package io.rollguard.notify;

import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The console receiver: writes the notification's text to the {@code io.rollguard.alerts} log
 * (firing and rollback as warnings). Always succeeds. Thread-safe.
 */
final class LogTransport implements Transport {

  static final Logger LOG = Logger.getLogger("io.rollguard.alerts");

  @Override
  public Future<RetryPolicy.Attempt> send(
      String url, Format.Body body, Map<String, String> headers, long timeoutMillis) {
    String text = new String(body.bytes(), StandardCharsets.UTF_8);
    LOG.log(text.startsWith("RESOLVED") ? Level.INFO : Level.WARNING, text);
    return Future.succeededFuture(
        new RetryPolicy.Attempt(200, null, RetryPolicy.Attempt.NO_RETRY_AFTER, 0));
  }
}
