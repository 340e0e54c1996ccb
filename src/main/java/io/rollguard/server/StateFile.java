package io.rollguard.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rollguard.notify.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * One state file under {@code data_dir/state/}: a JSON object with a {@code format} version, a few
 * header fields, and a list of items, replaced atomically on every save. What alert states, rollout
 * stages and SLO counts have in common; each supplies how one item reads and writes.
 *
 * <p>Files from before the format was written count as format 1. A file of a newer format than this
 * version reads is refused with a message that says so, rather than misread: a rollback to an older
 * Rollguard must not guess at what a newer one wrote.
 *
 * <p>Blocking file I/O: use from the storage worker only. Stateless apart from the file.
 */
final class StateFile<T> {

  /** The format this version writes, and the newest it reads. */
  static final int FORMAT = 1;

  /** How one item of the list is written and read back. */
  interface Codec<T> {
    void write(T item, ObjectNode into);

    T read(JsonNode from);
  }

  /** What a file held: its header (the whole root object) and its items. */
  record Loaded<T>(JsonNode header, List<T> items) {}

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final Path file;
  private final String listKey;
  private final Codec<T> codec;

  StateFile(Path dataDir, String name, String listKey, Codec<T> codec) {
    this.file = dataDir.resolve("state").resolve(name);
    this.listKey = listKey;
    this.codec = codec;
  }

  Path path() {
    return file;
  }

  /** How one item reads and writes (the cluster's state records hold the same items). */
  Codec<T> codec() {
    return codec;
  }

  void save(List<T> items) throws IOException {
    save(items, header -> {});
  }

  /** Writes {@code items}, after the header fields {@code header} adds. */
  void save(List<T> items, Consumer<ObjectNode> header) throws IOException {
    ObjectNode root = MAPPER.createObjectNode().put("format", FORMAT);
    header.accept(root);
    var list = root.putArray(listKey);
    for (T item : items) {
      codec.write(item, list.addObject());
    }
    AtomicFiles.write(file, MAPPER.writeValueAsBytes(root));
  }

  /**
   * What the file holds; an empty header and no items when there is no file.
   *
   * @throws IOException when it cannot be read, or a newer Rollguard wrote it
   */
  Loaded<T> load() throws IOException {
    if (!Files.exists(file)) {
      return new Loaded<>(MAPPER.createObjectNode(), List.of());
    }
    JsonNode root = MAPPER.readTree(file.toFile());
    int format = root.path("format").asInt(1);
    if (format > FORMAT) {
      throw new IOException(
          file
              + " was written by a newer Rollguard (state format "
              + format
              + "; this version reads formats up to "
              + FORMAT
              + "). Run that version, or move the file away to start without it.");
    }
    List<T> items = new ArrayList<>();
    for (JsonNode o : root.path(listKey)) {
      items.add(codec.read(o));
    }
    return new Loaded<>(root, List.copyOf(items));
  }
}
