package io.rollguard.server;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import java.nio.charset.StandardCharsets;

/**
 * A TCP connection that speaks HTTP/1.1 by hand, for what a well-behaved HTTP client never does:
 * writing a whole body before reading, trickling headers, stalling mid-body. Everything the server
 * sends is kept; {@link #closed()} completes when the server closes (or resets) the connection.
 */
final class RawConnection {

  /**
   * Held for as long as the connection: Vert.x closes a client, and its sockets, once the client is
   * garbage collected.
   */
  private final NetClient client;

  private final NetSocket socket;
  private final StringBuilder received = new StringBuilder();
  private final Promise<String> closed = Promise.promise();
  private Promise<String> waitingFor;
  private String waitedText;

  private RawConnection(NetClient client, NetSocket socket) {
    this.client = client;
    this.socket = socket;
    socket.handler(
        b -> {
          received.append(b.toString(StandardCharsets.ISO_8859_1));
          if (waitingFor != null && received.indexOf(waitedText) >= 0) {
            Promise<String> p = waitingFor;
            waitingFor = null;
            p.complete(received.toString());
          }
        });
    socket.exceptionHandler(e -> {});
    socket.closeHandler(v -> closed.tryComplete(received.toString()));
  }

  static Future<RawConnection> open(Vertx vertx, int port) {
    NetClient client = vertx.createNetClient(new NetClientOptions().setConnectTimeout(5_000));
    return client.connect(port, "127.0.0.1").map(socket -> new RawConnection(client, socket));
  }

  /** Writes {@code text} (ISO-8859-1). */
  Future<Void> write(String text) {
    return socket.write(Buffer.buffer(text.getBytes(StandardCharsets.ISO_8859_1)));
  }

  Future<Void> write(Buffer bytes) {
    return socket.write(bytes);
  }

  /** Completes with everything received once it contains {@code text}. */
  Future<String> await(String text) {
    if (received.indexOf(text) >= 0) {
      return Future.succeededFuture(received.toString());
    }
    waitedText = text;
    waitingFor = Promise.promise();
    return waitingFor.future();
  }

  /** Completes with everything received once the server has closed the connection. */
  Future<String> closed() {
    return closed.future();
  }

  String received() {
    return received.toString();
  }

  void close() {
    socket.close();
    client.close();
  }

  /** A POST's request line and headers, ending with the blank line. */
  static String post(String uri, String contentType, long contentLength, String... headers) {
    StringBuilder sb =
        new StringBuilder("POST " + uri + " HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            .append("Content-Type: ")
            .append(contentType)
            .append("\r\n");
    if (contentLength >= 0) {
      sb.append("Content-Length: ").append(contentLength).append("\r\n");
    }
    for (String h : headers) {
      sb.append(h).append("\r\n");
    }
    return sb.append("\r\n").toString();
  }
}
