package io.rollguard.notify;

import io.vertx.core.Future;
import java.util.Map;

/** Carries one attempt to a receiver. Implementations complete the future on their own context. */
interface Transport {

  /** Never fails: a network error or timeout is an {@link RetryPolicy.Attempt} with status 0. */
  Future<RetryPolicy.Attempt> send(
      String url, Format.Body body, Map<String, String> headers, long timeoutMillis);
}
