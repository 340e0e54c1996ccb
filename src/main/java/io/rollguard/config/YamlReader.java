package io.rollguard.config;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.DocumentEndEvent;
import org.yaml.snakeyaml.events.DocumentStartEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.MappingEndEvent;
import org.yaml.snakeyaml.events.MappingStartEvent;
import org.yaml.snakeyaml.events.NodeEvent;
import org.yaml.snakeyaml.events.ScalarEvent;
import org.yaml.snakeyaml.events.SequenceEndEvent;
import org.yaml.snakeyaml.events.SequenceStartEvent;

/**
 * Reads YAML text into {@link YamlNode}s with positions, from SnakeYAML's event stream (which,
 * unlike Jackson's YAML parser, keeps the anchors of scalars). Syntax errors and duplicate keys
 * become {@link Problems}. Anchors, aliases ({@code *name}) and merge keys ({@code <<: *defaults})
 * mean what YAML says: an alias is the anchored node itself (its positions are the anchor's), a
 * merge key adds the keys the mapping does not set itself. Stateless and thread-safe.
 *
 * <p>Files are limited to {@link #MAX_FILE_BYTES}, checked before they are read, and aliases may
 * not expand a document past {@link #MAX_EXPANDED_NODES} nodes (a "billion laughs" document is
 * small on disk and huge once its aliases are followed).
 */
public final class YamlReader {

  /** The largest YAML file read (rule files, {@code rollguard.yaml}). */
  public static final int MAX_FILE_BYTES = 3 << 20;

  /** How many nodes a document may hold once its aliases are expanded. */
  static final long MAX_EXPANDED_NODES = 1_000_000;

  private static final LoaderOptions LOADER_OPTIONS = loaderOptions();

  private static LoaderOptions loaderOptions() {
    LoaderOptions options = new LoaderOptions();
    options.setCodePointLimit(MAX_FILE_BYTES);
    return options;
  }

  private YamlReader() {}

  /**
   * The text of {@code file}, or null (with the problem at {@code file:1:1}) when it is larger than
   * {@link #MAX_FILE_BYTES} or cannot be read; the size is checked before anything is read.
   */
  public static String readFile(Path file, String name, Problems problems) {
    try {
      long size = Files.size(file);
      if (size > MAX_FILE_BYTES) {
        problems.add(
            new Position(name, 1, 1),
            "the file is "
                + size
                + " bytes; YAML files of at most "
                + MAX_FILE_BYTES
                + " bytes (3 MiB) are read");
        return null;
      }
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      problems.add(new Position(name, 1, 1), "cannot read: " + e);
      return null;
    }
  }

  /**
   * The first document in {@code text}, or null when it is empty or does not parse (the reason is
   * in {@code problems}).
   */
  public static YamlNode read(String file, String text, Problems problems) {
    Yaml yaml = new Yaml(LOADER_OPTIONS);
    try {
      Iterator<Event> events = yaml.parse(new StringReader(text)).iterator();
      Document doc = new Document(events, file, problems);
      YamlNode root = doc.readDocument();
      return doc.tooLarge ? null : root;
    } catch (MarkedYAMLException e) {
      Mark at = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      problems.add(
          at == null ? new Position(file, 1, 1) : position(file, at),
          "YAML syntax: " + (e.getProblem() != null ? e.getProblem() : e.getMessage()));
      return null;
    } catch (YAMLException e) {
      problems.add(new Position(file, 1, 1), "YAML: " + e.getMessage());
      return null;
    }
  }

  private static Position position(String file, Mark mark) {
    return new Position(file, mark.getLine() + 1, mark.getColumn() + 1);
  }

  /** One document being read: its anchors so far and how large its aliases make it. */
  private static final class Document {
    private final Iterator<Event> events;
    private final String file;
    private final Problems problems;
    private final Map<String, YamlNode> anchors = new HashMap<>();
    private final Map<YamlNode, Long> expandedSize = new IdentityHashMap<>();
    private long expandedNodes;
    boolean tooLarge;

    Document(Iterator<Event> events, String file, Problems problems) {
      this.events = events;
      this.file = file;
      this.problems = problems;
    }

    /** The first document's root node; null for an empty stream or document. */
    YamlNode readDocument() {
      while (events.hasNext()) {
        Event e = events.next();
        if (e instanceof DocumentStartEvent) {
          Event first = events.next();
          return first instanceof DocumentEndEvent ? null : readValue(first);
        }
      }
      return null;
    }

    private YamlNode readValue(Event event) {
      Position at = position(file, event.getStartMark());
      if (event instanceof AliasEvent alias) {
        return alias(at, alias.getAnchor());
      }
      String anchor = event instanceof NodeEvent n ? n.getAnchor() : null;
      long before = expandedNodes;
      YamlNode node;
      if (event instanceof MappingStartEvent) {
        node = mapping(at);
      } else if (event instanceof SequenceStartEvent) {
        node = sequence(at);
      } else if (event instanceof ScalarEvent scalar) {
        node = new YamlNode.Scalar(at, scalar.getValue(), kind(scalar));
      } else {
        throw new IllegalStateException("unexpected YAML event " + event);
      }
      count(1, at);
      if (anchor != null) {
        anchors.put(anchor, node);
        expandedSize.put(node, expandedNodes - before);
      }
      return node;
    }

    private YamlNode alias(Position at, String name) {
      YamlNode target = anchors.get(name);
      if (target == null) {
        // also an anchor used inside its own node: YAML allows the cycle, nothing here reads one
        problems.add(at, "unknown alias '*" + name + "' (no anchor '&" + name + "' before it)");
        return new YamlNode.Scalar(at, "", YamlNode.Scalar.Kind.NULL);
      }
      count(expandedSize.getOrDefault(target, 1L), at);
      return target;
    }

    private void count(long nodes, Position at) {
      expandedNodes += nodes;
      if (expandedNodes > MAX_EXPANDED_NODES && !tooLarge) {
        tooLarge = true;
        problems.add(
            at,
            "the document's aliases expand it past "
                + MAX_EXPANDED_NODES
                + " nodes; refusing to read it");
      }
    }

    private YamlNode mapping(Position at) {
      Map<String, YamlNode.Entry> entries = new LinkedHashMap<>();
      List<YamlNode> merges = new ArrayList<>();
      for (Event e = events.next(); !(e instanceof MappingEndEvent); e = events.next()) {
        Position keyAt = position(file, e.getStartMark());
        YamlNode key = readValue(e);
        YamlNode value = readValue(events.next());
        if (!(key instanceof YamlNode.Scalar k)) {
          problems.add(keyAt, "a key must be a plain value, got " + key.describe());
        } else if (k.text().equals("<<") && k.kind() == YamlNode.Scalar.Kind.STRING) {
          merges.add(value);
        } else if (entries.containsKey(k.text())) {
          problems.add(keyAt, "duplicate key '" + k.text() + "'");
        } else {
          entries.put(k.text(), new YamlNode.Entry(keyAt, value));
        }
      }
      for (YamlNode merge : merges) {
        merge(entries, merge);
      }
      return new YamlNode.Mapping(at, entries);
    }

    /**
     * A merge key's value is a mapping or a list of them; their keys fill what the mapping does not
     * set, earlier mappings of a list before later ones.
     */
    private void merge(Map<String, YamlNode.Entry> into, YamlNode merged) {
      if (merged instanceof YamlNode.Mapping m) {
        m.entries().forEach(into::putIfAbsent);
      } else if (merged instanceof YamlNode.Sequence seq
          && seq.items().stream().allMatch(i -> i instanceof YamlNode.Mapping)) {
        seq.items().forEach(i -> ((YamlNode.Mapping) i).entries().forEach(into::putIfAbsent));
      } else {
        problems.add(
            merged.position(),
            "a merge key '<<' takes a mapping or a list of mappings, got " + merged.describe());
      }
    }

    private YamlNode sequence(Position at) {
      List<YamlNode> items = new ArrayList<>();
      for (Event e = events.next(); !(e instanceof SequenceEndEvent); e = events.next()) {
        items.add(readValue(e));
      }
      return new YamlNode.Sequence(at, items);
    }
  }

  private static final Pattern INTEGER =
      Pattern.compile("[-+]?(0|[1-9][0-9_]*|0x[0-9a-fA-F_]+|0o?[0-7_]+)");
  private static final Pattern FLOAT =
      Pattern.compile(
          "[-+]?(\\.[0-9]+|[0-9][0-9_]*(\\.[0-9_]*)?)([eE][-+]?[0-9]+)?|[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)");

  /**
   * How a scalar is typed: quoted or block scalars are strings; plain ones are null ({@code null},
   * {@code ~}, nothing), booleans ({@code true}/{@code false} in any of YAML's three spellings),
   * numbers, or strings. {@code yes}, {@code no}, {@code on} and {@code off} stay strings (YAML
   * 1.2).
   */
  private static YamlNode.Scalar.Kind kind(ScalarEvent scalar) {
    if (scalar.getScalarStyle() != DumperOptions.ScalarStyle.PLAIN) {
      return YamlNode.Scalar.Kind.STRING;
    }
    String v = scalar.getValue();
    return switch (v) {
      case "", "~", "null", "Null", "NULL" -> YamlNode.Scalar.Kind.NULL;
      case "true", "True", "TRUE", "false", "False", "FALSE" -> YamlNode.Scalar.Kind.BOOLEAN;
      default ->
          INTEGER.matcher(v).matches() || FLOAT.matcher(v).matches()
              ? YamlNode.Scalar.Kind.NUMBER
              : YamlNode.Scalar.Kind.STRING;
    };
  }
}
