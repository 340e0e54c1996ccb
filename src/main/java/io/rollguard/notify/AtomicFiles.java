package io.rollguard.notify;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Crash-safe file writes: the bytes go to a temporary sibling, are forced to disk, and the file is
 * renamed over the target atomically, then the directory is forced; after a crash a reader finds
 * the old file or the new one, never a torn one. Blocking: call from worker threads only.
 * Stateless.
 */
public final class AtomicFiles {

  /** Leftovers of writes a crash interrupted; {@link #isLeftover} files are safe to delete. */
  static final String TEMP_SUFFIX = ".tmp";

  private AtomicFiles() {}

  public static void write(Path target, byte[] bytes) throws IOException {
    write(target, bytes, true);
  }

  /** {@code forceDirectory} false lets a caller writing many files force the directory once. */
  static void write(Path target, byte[] bytes, boolean forceDirectory) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path temp = target.resolveSibling(target.getFileName() + TEMP_SUFFIX);
    try (FileChannel ch =
        FileChannel.open(
            temp,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      ByteBuffer buf = ByteBuffer.wrap(bytes);
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    }
    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    if (forceDirectory) {
      forceDirectory(dir);
    }
  }

  /** Makes renames and deletions in {@code dir} durable. */
  public static void forceDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  public static boolean isLeftover(Path file) {
    return file.getFileName().toString().endsWith(TEMP_SUFFIX);
  }
}
