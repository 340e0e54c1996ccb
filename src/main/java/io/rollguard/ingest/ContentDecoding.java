package io.rollguard.ingest;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.compression.DecompressionException;
import io.netty.handler.codec.compression.JdkZlibDecoder;
import io.netty.handler.codec.compression.ZlibWrapper;
import java.util.Locale;

/**
 * Undoes a request body's {@code Content-Encoding} as its chunks arrive: {@code gzip} (one member,
 * as HTTP clients send it), {@code deflate} (zlib or raw), or nothing. Netty's zlib decoder does
 * the work; compressed input is fed in slices so that no one chunk inflates into more than {@code
 * maxOutputBytes} at once (a zip bomb is a 413, not an allocation). The same decoding for HTTP/1.1
 * and HTTP/2, and errors the client can read: Vert.x's own decompression answers neither a broken
 * gzip stream on HTTP/2 nor an unknown encoding.
 *
 * <p>Not thread-safe: owned by one request. {@link #close} releases the decoder.
 */
final class ContentDecoding implements AutoCloseable {

  /** A body that is not what its {@code Content-Encoding} says, or too large once inflated. */
  static final class DecodingException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int status;

    DecodingException(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }

    /** 400 for a broken stream, 413 for too much output, 415 for an unknown encoding. */
    int status() {
      return status;
    }
  }

  /** Receives decoded bytes: {@code bytes[0, length)}, valid only during the call. */
  @FunctionalInterface
  interface Sink {
    void accept(byte[] bytes, int length) throws Exception;
  }

  /** Compressed bytes are fed in slices of this size, bounding what one slice inflates into. */
  private static final int SLICE_BYTES = 4_096;

  private final String encoding;
  private final EmbeddedChannel channel;
  private final JdkZlibDecoder decoder;
  private byte[] out = new byte[0];

  private ContentDecoding(String encoding, JdkZlibDecoder decoder) {
    this.encoding = encoding;
    this.decoder = decoder;
    this.channel = decoder == null ? null : new EmbeddedChannel(decoder);
  }

  /**
   * The decoding of {@code contentEncoding} (null or {@code identity}: none).
   *
   * @throws DecodingException (415) for an encoding this server does not read
   */
  static ContentDecoding of(String contentEncoding, long maxOutputBytes) throws DecodingException {
    String e = contentEncoding == null ? "" : contentEncoding.trim().toLowerCase(Locale.ROOT);
    int max = (int) Math.min(Integer.MAX_VALUE - 8, Math.max(maxOutputBytes, SLICE_BYTES));
    return switch (e) {
      case "", "identity" -> new ContentDecoding("identity", null);
      case "gzip", "x-gzip" ->
          new ContentDecoding(e, new JdkZlibDecoder(ZlibWrapper.GZIP, false, max));
      case "deflate" -> new ContentDecoding(e, new JdkZlibDecoder(ZlibWrapper.ZLIB_OR_NONE, max));
      default ->
          throw new DecodingException(
              415,
              "Content-Encoding '"
                  + contentEncoding
                  + "' is not supported (gzip, deflate or none)");
    };
  }

  boolean identity() {
    return decoder == null;
  }

  /** Decodes {@code bytes[from, from + length)} into {@code sink}. */
  void decode(byte[] bytes, int from, int length, Sink sink) throws Exception {
    if (decoder == null) {
      sink.accept(
          from == 0 ? bytes : java.util.Arrays.copyOfRange(bytes, from, from + length), length);
      return;
    }
    for (int at = from; at < from + length; at += SLICE_BYTES) {
      int n = Math.min(SLICE_BYTES, from + length - at);
      try {
        channel.writeInbound(Unpooled.wrappedBuffer(bytes, at, n));
      } catch (DecompressionException e) {
        throw failure(e);
      }
      drain(sink);
    }
  }

  /** The body has ended: a stream that stopped before its end is the client's mistake. */
  void finish(Sink sink) throws Exception {
    if (decoder == null) {
      return;
    }
    try {
      channel.finish();
    } catch (DecompressionException e) {
      throw failure(e);
    }
    drain(sink);
    if (!decoder.isClosed()) {
      throw new DecodingException(400, "the " + encoding + " stream of the body ends early");
    }
  }

  private void drain(Sink sink) throws Exception {
    ByteBuf b;
    while ((b = channel.readInbound()) != null) {
      try {
        int n = b.readableBytes();
        if (out.length < n) {
          out = new byte[Math.max(n, Math.min(2 * out.length + 1, 1 << 20))];
        }
        b.readBytes(out, 0, n);
        sink.accept(out, n);
      } finally {
        b.release();
      }
    }
  }

  private DecodingException failure(DecompressionException e) {
    String why = e.getMessage() == null ? e.toString() : e.getMessage();
    return why.contains("maximum size")
        ? new DecodingException(413, "the body inflates to more than max_body_bytes")
        : new DecodingException(
            400,
            "the body does not decompress as its Content-Encoding (" + encoding + ") says: " + why);
  }

  /** Releases what the decoder holds; a failure it still has to tell was told already. */
  @Override
  public void close() {
    if (channel != null) {
      try {
        channel.finishAndReleaseAll();
      } catch (DecompressionException alreadyReported) {
        channel.releaseInbound();
      }
    }
  }
}
