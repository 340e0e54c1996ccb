package io.rollguard.notify;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The durable outbox: one file per pending notification under {@code data_dir/outbox}, written
 * atomically and forced to disk before the notification is sent, removed once it is delivered or
 * handed to a fallback. After a crash, {@link #load} gives back everything not yet settled, in the
 * order it was made: delivery is at-least-once, and receivers dedup by idempotency key.
 *
 * <p><b>Concurrency.</b> Blocking file I/O: call only from the one storage worker thread, which
 * also orders writes (a notification's file exists before anything is sent).
 */
public final class Outbox {

  private static final Logger LOG = Logger.getLogger(Outbox.class.getName());

  private final Path dir;

  public Outbox(Path dir) {
    this.dir = dir;
  }

  /** Everything pending, oldest first; leftovers of interrupted writes are deleted. */
  public List<Notification> load() throws IOException {
    Files.createDirectories(dir);
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        if (AtomicFiles.isLeftover(p)) {
          Files.deleteIfExists(p);
        } else if (p.getFileName().toString().endsWith(".json")) {
          files.add(p);
        }
      }
    }
    files.sort(null);
    List<Notification> pending = new ArrayList<>();
    for (Path p : files) {
      try {
        pending.add(AlertEventJson.readNotification(Payloads.MAPPER.readTree(p.toFile())));
      } catch (IOException | RuntimeException e) {
        Path bad = dir.resolve("unreadable");
        Files.createDirectories(bad);
        Files.move(p, bad.resolve(p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        LOG.log(Level.SEVERE, "outbox file " + p + " is unreadable; moved to " + bad, e);
      }
    }
    return pending;
  }

  /**
   * Makes {@code notifications} durable; returns once they are on disk. All or nothing: when one
   * cannot be written, those already written by this call are removed again (as far as the disk
   * lets us) and the failure is thrown, so a retry does not send anything twice.
   */
  public void add(List<Notification> notifications) throws IOException {
    if (notifications.isEmpty()) {
      return;
    }
    List<Path> written = new ArrayList<>();
    try {
      for (Notification n : notifications) {
        AtomicFiles.write(file(n), Payloads.bytes(AlertEventJson.write(n)), false);
        written.add(file(n));
      }
      AtomicFiles.forceDirectory(dir);
    } catch (IOException | RuntimeException e) {
      for (Path p : written) {
        try {
          Files.deleteIfExists(p);
        } catch (IOException ignored) {
          e.addSuppressed(ignored);
        }
      }
      throw e;
    }
  }

  /** Settles a notification (delivered, or passed on). */
  public void remove(Notification n) throws IOException {
    Files.deleteIfExists(file(n));
  }

  private Path file(Notification n) {
    return dir.resolve(n.id() + ".json");
  }
}
