package io.rollguard.ingest;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;

/**
 * Answers a request whose body will not be used (401, 403, 413, 415, 429, 408 ...) so that the
 * client actually receives the answer.
 *
 * <p>A client that did not send {@code Expect: 100-continue} writes its whole body before it reads
 * anything (Python's {@code http.client}, many others). Closing the connection with that body
 * unread makes the kernel reset it, and the client sees a broken pipe instead of the status. So the
 * rest of the body is read and dropped, up to a bound, and the connection closes once both the
 * answer is out and the body has ended (or the bound is reached: the client gets a reset, but no
 * one can make the server read without end). A client that sent {@code Expect: 100-continue} is
 * never told to continue: it gets the final status at once, as RFC 9110 allows. On HTTP/2 only the
 * stream ends; the connection serves its other streams.
 *
 * <p>Event-loop confined: call on the request's context.
 */
final class EarlyAnswer {

  private final HttpServerRequest request;
  private final long drainBytes;
  private long drained;
  private boolean answered;
  private boolean bodyDone;

  private EarlyAnswer(HttpServerRequest request, long drainBytes) {
    this.request = request;
    this.drainBytes = drainBytes;
  }

  /**
   * Answers {@code status} with {@code body} of {@code contentType} and drops the rest of the
   * request body (at most {@code drainBytes} more; 0: none, the connection closes once the answer
   * is out, as for a body that stopped coming).
   */
  static void send(
      HttpServerRequest request, int status, String contentType, Buffer body, long drainBytes) {
    new EarlyAnswer(request, drainBytes).answer(status, contentType, body);
  }

  /** Whether the client waits for {@code 100 Continue} before it sends the body. */
  static boolean expectsContinue(HttpServerRequest request) {
    String expect = request.getHeader(HttpHeaders.EXPECT);
    return expect != null && expect.trim().equalsIgnoreCase("100-continue");
  }

  private void answer(int status, String contentType, Buffer body) {
    HttpServerResponse response = request.response();
    boolean http2 = request.version() == HttpVersion.HTTP_2;
    bodyDone = request.isEnded() || expectsContinue(request) || drainBytes == 0;
    if (!bodyDone) {
      request.handler(this::drop);
      request.endHandler(v -> bodyEnded());
      request.exceptionHandler(e -> bodyEnded());
      request.resume();
    }
    if (!http2 && !response.headWritten()) {
      response.putHeader(HttpHeaders.CONNECTION, "close");
    }
    if (response.ended()) {
      answered();
      return;
    }
    response
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, contentType)
        .end(body)
        .onComplete(ar -> answered());
  }

  private void drop(Buffer chunk) {
    drained += chunk.length();
    if (drained > drainBytes) {
      bodyEnded();
    }
  }

  private void bodyEnded() {
    bodyDone = true;
    closeIfDone();
  }

  private void answered() {
    answered = true;
    closeIfDone();
  }

  private void closeIfDone() {
    if (answered && bodyDone && request.version() != HttpVersion.HTTP_2) {
      request.connection().close();
    }
  }
}
