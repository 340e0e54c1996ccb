package io.rollguard.notify;

import io.rollguard.clock.Clock;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * POSTs notifications with Vert.x's HTTP client: the {@code timeout} bounds connecting and every
 * wait for the answer; the answer's body (cut to {@value #MAX_ERROR_CHARS} characters) is kept for
 * the log when it is an error, and {@code Retry-After} (seconds or an HTTP date) is read. Must be
 * used from a Vert.x context; thread-safe as the client is.
 */
final class HttpTransport implements Transport {

  static final int MAX_ERROR_CHARS = 300;

  private final HttpClientAgent client;
  private final Clock clock;

  HttpTransport(HttpClientAgent client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  @Override
  public Future<RetryPolicy.Attempt> send(
      String url, Format.Body body, Map<String, String> headers, long timeoutMillis) {
    long started = clock.monotonicTimeNanos();
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.POST)
            .setAbsoluteURI(url)
            .setConnectTimeout(timeoutMillis)
            .setIdleTimeout(timeoutMillis)
            .putHeader("content-type", body.contentType())
            .putHeader("user-agent", "Rollguard");
    headers.forEach(options::putHeader);
    Promise<RetryPolicy.Attempt> result = Promise.promise();
    client
        .request(options)
        .compose(
            req ->
                req.send(Buffer.buffer(body.bytes()))
                    .compose(resp -> resp.body().map(answer -> attempt(resp, answer, started))))
        .onComplete(
            ar ->
                result.complete(
                    ar.succeeded()
                        ? ar.result()
                        : new RetryPolicy.Attempt(
                            0,
                            failure(ar.cause(), timeoutMillis),
                            RetryPolicy.Attempt.NO_RETRY_AFTER,
                            elapsedMillis(started))));
    return result.future();
  }

  private RetryPolicy.Attempt attempt(HttpClientResponse resp, Buffer answer, long started) {
    int status = resp.statusCode();
    String error = null;
    if (status < 200 || status >= 300) {
      String text = answer.toString(StandardCharsets.UTF_8).strip();
      error = text.isEmpty() ? resp.statusMessage() : NotificationText.cut(text, MAX_ERROR_CHARS);
    }
    return new RetryPolicy.Attempt(
        status,
        error,
        retryAfterMillis(resp.getHeader("retry-after"), clock.wallTimeMillis()),
        elapsedMillis(started));
  }

  private long elapsedMillis(long startedNanos) {
    return (clock.monotonicTimeNanos() - startedNanos) / 1_000_000;
  }

  private static String failure(Throwable cause, long timeoutMillis) {
    if (cause instanceof TimeoutException
        || String.valueOf(cause.getMessage()).toLowerCase(Locale.ROOT).contains("timeout")) {
      return "timeout after " + timeoutMillis + " ms";
    }
    return cause.getClass().getSimpleName() + ": " + cause.getMessage();
  }

  /** {@code Retry-After}: delay-seconds or an HTTP date; -1 when absent or unreadable. */
  static long retryAfterMillis(String header, long nowMillis) {
    if (header == null || header.isBlank()) {
      return RetryPolicy.Attempt.NO_RETRY_AFTER;
    }
    String h = header.strip();
    try {
      long seconds = Long.parseLong(h);
      return seconds > Long.MAX_VALUE / 2_000 ? Long.MAX_VALUE / 2 : Math.max(0, seconds * 1_000);
    } catch (NumberFormatException notSeconds) {
      try {
        long at =
            ZonedDateTime.parse(h, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
        return Math.max(0, at - nowMillis);
      } catch (DateTimeParseException notADate) {
        return RetryPolicy.Attempt.NO_RETRY_AFTER;
      }
    }
  }
}
