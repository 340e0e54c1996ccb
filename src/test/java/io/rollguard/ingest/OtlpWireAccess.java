package io.rollguard.ingest;

import com.google.protobuf.CodedInputStream;
import java.io.IOException;

/** Reads the {@code google.rpc.Status} answers of OTLP ingest, for tests in other packages. */
public final class OtlpWireAccess {

  public record Status(int code, String message) {}

  private OtlpWireAccess() {}

  /** Decodes fields 1 (code) and 2 (message) with protobuf's own reader. */
  public static Status status(byte[] bytes) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(bytes);
    int code = 0;
    String message = "";
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      switch (tag >>> 3) {
        case 1 -> code = in.readInt32();
        case 2 -> message = in.readString();
        default -> in.skipField(tag);
      }
    }
    return new Status(code, message);
  }
}
