package io.rollguard.ingest;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsPartialSuccess;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * OTLP/HTTP's encodings (SPEC 1.4): requests in binary protobuf or OTLP JSON (protobuf's JSON
 * mapping: lowerCamelCase names, enums as numbers, 64-bit integers as strings, unknown fields
 * ignored), answers in the request's encoding: an {@code ExportMetricsServiceResponse}, with {@code
 * partialSuccess} when points were rejected, or a {@code google.rpc.Status} for a refused request.
 * Stateless.
 */
final class OtlpWire {

  /** Nesting deeper than this is refused (protobuf's default; JsonFormat keeps its own 100). */
  private static final int RECURSION_LIMIT = 100;

  private static final JsonFormat.Parser JSON_PARSER = JsonFormat.parser().ignoringUnknownFields();

  private static final JsonFormat.Printer JSON_PRINTER =
      JsonFormat.printer().omittingInsignificantWhitespace();

  private OtlpWire() {}

  /** The request in {@code body[0, length)}; a message fit for the client when it is not one. */
  static ExportMetricsServiceRequest parse(byte[] body, int length, boolean json)
      throws MalformedBodyException {
    try {
      if (json) {
        ExportMetricsServiceRequest.Builder b = ExportMetricsServiceRequest.newBuilder();
        JSON_PARSER.merge(new String(body, 0, length, StandardCharsets.UTF_8), b);
        return b.build();
      }
      CodedInputStream in = CodedInputStream.newInstance(body, 0, length);
      in.setRecursionLimit(RECURSION_LIMIT);
      ExportMetricsServiceRequest request = ExportMetricsServiceRequest.parseFrom(in);
      return request;
    } catch (InvalidProtocolBufferException e) {
      throw new MalformedBodyException(
          (json ? "the body is not OTLP JSON: " : "the body is not an OTLP protobuf message: ")
              + e.getMessage());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      // JsonFormat reports some malformed JSON (e.g. a number where an object belongs) this way
      throw new MalformedBodyException("the body is not OTLP JSON: " + e.getMessage());
    }
  }

  /** The answer to an export: empty, or the points rejected and why. */
  static Buffer response(long rejected, String errorMessage, boolean json) {
    ExportMetricsServiceResponse.Builder b = ExportMetricsServiceResponse.newBuilder();
    if (rejected > 0 || !errorMessage.isEmpty()) {
      b.setPartialSuccess(
          ExportMetricsPartialSuccess.newBuilder()
              .setRejectedDataPoints(rejected)
              .setErrorMessage(errorMessage));
    }
    ExportMetricsServiceResponse response = b.build();
    if (!json) {
      return Buffer.buffer(response.toByteArray());
    }
    try {
      return Buffer.buffer(JSON_PRINTER.print(response));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A {@code google.rpc.Status} for a refused request with HTTP {@code status}. */
  static Buffer status(int status, String message, boolean json) {
    int code = grpcCode(status);
    if (json) {
      return Buffer.buffer(
          new io.vertx.core.json.JsonObject().put("code", code).put("message", message).encode());
    }
    // google.rpc.Status: 1 code (int32), 2 message (string); details are not sent
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    try {
      out.writeInt32(1, code);
      out.writeString(2, message);
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Buffer.buffer(bytes.toByteArray());
  }

  /** The gRPC status code closest to an HTTP status (google.rpc.Code). */
  static int grpcCode(int httpStatus) {
    return switch (httpStatus) {
      case 400, 413, 415 -> 3; // INVALID_ARGUMENT
      case 401 -> 16; // UNAUTHENTICATED
      case 403 -> 7; // PERMISSION_DENIED
      case 408 -> 4; // DEADLINE_EXCEEDED
      case 429 -> 8; // RESOURCE_EXHAUSTED
      case 503 -> 14; // UNAVAILABLE
      case 500 -> 13; // INTERNAL
      default -> 2; // UNKNOWN
    };
  }
}
