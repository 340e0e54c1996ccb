package io.rollguard.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Remote write bodies are Snappy blocks of any size (Prometheus sends hundreds of KB): what
 * Snappy's reference implementation writes, ingest must read back exactly, and refuse a block that
 * promises more than the limit before inflating it.
 */
class SnappyBlockTest {

  @Test
  void blocksOfEverySizeReadBackExactly() throws Exception {
    Random random = new Random(5);
    for (int size : new int[] {0, 1, 100, 65_535, 65_536, 65_537, 200_000, 1 << 20, 3_000_001}) {
      byte[] raw = new byte[size];
      for (int i = 0; i < size; i++) {
        // compressible, like protobuf label text, with some noise
        raw[i] = (byte) (random.nextInt(10) == 0 ? random.nextInt(256) : 'a' + (i % 17));
      }
      byte[] block = RemoteWriteBodies.snappy(raw);
      assertThat(RemoteWriteReader.unsnappy(block, block.length, 8 << 20))
          .as("size %d", size)
          .isEqualTo(raw);
    }
  }

  @Test
  void aBlockPromisingMoreThanTheLimitIsRefusedFirst() {
    byte[] raw = new byte[100_000];
    byte[] block = RemoteWriteBodies.snappy(raw);
    assertThatThrownBy(() -> RemoteWriteReader.unsnappy(block, block.length, 50_000))
        .isInstanceOf(RemoteWriteReader.TooLargeException.class);
  }
}
