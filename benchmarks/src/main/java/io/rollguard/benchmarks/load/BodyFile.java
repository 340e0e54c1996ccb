package io.rollguard.benchmarks.load;

import io.rollguard.benchmarks.Batches;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the load bodies for wrk: one JSON batch per line ({@code series} lines of {@code samples}
 * requests each), the same bodies {@link LoadGenerator} sends. Arguments: file, series, samples.
 */
public final class BodyFile {

  public static void main(String[] args) throws IOException {
    Path file = Path.of(args[0]);
    int series = Integer.parseInt(args[1]);
    int samples = Integer.parseInt(args[2]);
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file))) {
      for (int s = 0; s < series; s++) {
        out.write(Batches.requestBatch("load", String.format("s-%05d", s), samples, -1, s));
        out.write('\n');
      }
    }
  }
}
