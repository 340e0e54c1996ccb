package io.rollguard.ingest;

import io.rollguard.window.Latency;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.HdrHistogram.Histogram;

/**
 * Decodes the {@code hdr} field of a pre-aggregated histogram: base64 of HdrHistogram's compressed
 * V2 encoding, values in microseconds. The declared sizes and settings are checked before anything
 * is inflated, so a small string cannot make the server allocate much (zip bombs). Stateless.
 */
final class HistogramDecoder {

  /** Thrown with a message fit for the client. */
  static final class InvalidHistogramException extends Exception {
    private static final long serialVersionUID = 1L;

    InvalidHistogramException(String message) {
      super(message);
    }
  }

  private static final int COMPRESSED_COOKIE = 0x1c849314;
  private static final int ENCODING_COOKIE = 0x1c849313;
  private static final int HEADER_BYTES = 40;

  /** Decoding allocates a counts array sized by digits and range; 2^19 counts is 4 MiB. */
  private static final long MAX_COUNTS = 1L << 19;

  private HistogramDecoder() {}

  static Histogram decode(String base64, int maxInflatedBytes) throws InvalidHistogramException {
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(base64.trim());
    } catch (IllegalArgumentException e) {
      throw new InvalidHistogramException("hdr is not base64: " + e.getMessage());
    }
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    if (bytes.length < 8 || buffer.getInt(0) != COMPRESSED_COOKIE) {
      throw new InvalidHistogramException(
          "hdr is not a compressed V2 HdrHistogram (it should start with HISTF)");
    }
    int compressedLength = buffer.getInt(4);
    if (compressedLength < 0 || compressedLength > bytes.length - 8) {
      throw new InvalidHistogramException("hdr is truncated");
    }
    checkHeader(bytes, compressedLength, maxInflatedBytes);
    try {
      Histogram decoded = Histogram.decodeFromCompressedByteBuffer(buffer, 2);
      if (decoded.getTotalCount() > Integer.MAX_VALUE) {
        throw new InvalidHistogramException("hdr holds more than 2^31 values");
      }
      if (decoded.getTotalCount() > 0 && decoded.getMinNonZeroValue() < 0) {
        throw new InvalidHistogramException("hdr holds negative values");
      }
      return decoded;
    } catch (DataFormatException | RuntimeException e) {
      throw new InvalidHistogramException("hdr does not decode: " + e.getMessage());
    }
  }

  /** The counts array HdrHistogram allocates for these settings (its own sizing rule). */
  static long countsArrayLength(int digits, long lowest, long highest) {
    long largestSingleUnit = 2 * (long) Math.pow(10, digits);
    int subBucketCountMagnitude = (int) Math.ceil(Math.log(largestSingleUnit) / Math.log(2));
    long subBucketCount = 1L << Math.max(1, subBucketCountMagnitude);
    int unitMagnitude = 63 - Long.numberOfLeadingZeros(lowest);
    long smallestUntrackable = subBucketCount << unitMagnitude;
    int buckets = 1;
    while (smallestUntrackable <= highest && smallestUntrackable > 0) {
      smallestUntrackable <<= 1;
      buckets++;
    }
    return (buckets + 1L) * (subBucketCount / 2);
  }

  private static void checkHeader(byte[] bytes, int compressedLength, int maxInflatedBytes)
      throws InvalidHistogramException {
    Inflater inflater = new Inflater();
    try {
      inflater.setInput(bytes, 8, compressedLength);
      byte[] header = new byte[HEADER_BYTES];
      int read = 0;
      while (read < HEADER_BYTES
          && !inflater.finished()
          && !inflater.needsDictionary()
          && !inflater.needsInput()) {
        int remaining = inflater.getRemaining();
        int n = inflater.inflate(header, read, HEADER_BYTES - read);
        read += n;
        if (n == 0 && inflater.getRemaining() == remaining) {
          break; // no progress: a loop here would spin forever
        }
      }
      if (inflater.needsDictionary()) {
        throw new InvalidHistogramException("hdr asks for a preset zlib dictionary");
      }
      if (read < HEADER_BYTES) {
        throw new InvalidHistogramException("hdr is truncated");
      }
      ByteBuffer h = ByteBuffer.wrap(header);
      if (h.getInt(0) != ENCODING_COOKIE) {
        throw new InvalidHistogramException("hdr holds an unknown encoding");
      }
      int payloadBytes = h.getInt(4);
      int digits = h.getInt(12);
      long lowest = h.getLong(16);
      long highest = h.getLong(24);
      if (payloadBytes < 0 || payloadBytes > maxInflatedBytes) {
        throw new InvalidHistogramException(
            "hdr declares "
                + payloadBytes
                + " bytes of counts; at most "
                + maxInflatedBytes
                + " are accepted");
      }
      if (digits < 0 || digits > 5) {
        throw new InvalidHistogramException(
            "hdr has " + digits + " significant digits; 0 to 5 are valid");
      }
      if (lowest < 1
          || highest < 2 * lowest
          || highest > Latency.HIGHEST_TRACKABLE_MICROS * 1_000) {
        throw new InvalidHistogramException(
            "hdr range "
                + lowest
                + ".."
                + highest
                + " µs is not usable (values must be microseconds, up to 1 h)");
      }
      if (countsArrayLength(digits, lowest, highest) > MAX_COUNTS) {
        throw new InvalidHistogramException(
            "hdr precision and range need too much memory; use at most 3 significant digits");
      }
    } catch (DataFormatException e) {
      throw new InvalidHistogramException("hdr does not inflate: " + e.getMessage());
    } finally {
      inflater.end();
    }
  }
}
