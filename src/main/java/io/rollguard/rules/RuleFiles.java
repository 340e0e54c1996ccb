package io.rollguard.rules;

import io.rollguard.config.Problems;
import io.rollguard.config.YamlReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Finds and reads rule files: a path is a file, or a directory whose {@code *.yaml} and {@code
 * *.yml} files (not recursive) are read in name order. Blocking file I/O: call it off event loops.
 */
public final class RuleFiles {

  private RuleFiles() {}

  /**
   * The rule files under {@code paths}; a path that does not exist is skipped. A link among them
   * that leads nowhere (a ConfigMap being swapped, a volume remounting) is listed, so that reading
   * it fails loudly instead of the file silently counting as absent; hidden entries are not.
   */
  public static List<Path> find(List<Path> paths) throws IOException {
    List<Path> files = new ArrayList<>();
    for (Path path : paths) {
      if (Files.isDirectory(path)) {
        try (Stream<Path> entries = Files.list(path)) {
          entries
              .filter(p -> Files.isRegularFile(p) || Files.isSymbolicLink(p))
              .filter(p -> !p.getFileName().toString().startsWith("."))
              .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
              .sorted()
              .forEach(files::add);
        }
      } else if (Files.exists(path)) {
        files.add(path);
      }
    }
    return files;
  }

  /**
   * Reads {@code files} as sources for {@link RuleLoader}. A file that is too large (checked before
   * it is read) or cannot be read becomes a source that says so, reported with the others.
   */
  public static List<RuleLoader.Source> read(List<Path> files) {
    List<RuleLoader.Source> sources = new ArrayList<>();
    for (Path file : files) {
      Problems problems = new Problems();
      String text = YamlReader.readFile(file, file.toString(), problems);
      sources.add(
          text != null
              ? new RuleLoader.Source(file.toString(), text)
              : RuleLoader.Source.unreadable(file.toString(), problems.list().get(0).message()));
    }
    return sources;
  }

  /**
   * What {@code files} (from {@link #find}) look like on disk (names, sizes, modification times):
   * when it changes, the rules are reloaded.
   */
  public static String fingerprint(List<Path> files) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (Path file : files) {
      sb.append(file)
          .append('|')
          .append(Files.size(file))
          .append('|')
          .append(Files.getLastModifiedTime(file).toMillis())
          .append('\n');
    }
    return sb.toString();
  }
}
