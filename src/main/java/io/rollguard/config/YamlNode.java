package io.rollguard.config;

import java.util.List;
import java.util.Map;

/** A YAML node that knows where it stands in its file. Immutable. */
public sealed interface YamlNode {

  Position position();

  /** What the YAML says this node is, for messages such as "expected a mapping, got a list". */
  String describe();

  /** A key's position and its value. */
  record Entry(Position keyPosition, YamlNode value) {}

  /** A mapping, in file order. */
  record Mapping(Position position, Map<String, Entry> entries) implements YamlNode {
    @Override
    public String describe() {
      return "a mapping";
    }
  }

  /** A list. */
  record Sequence(Position position, List<YamlNode> items) implements YamlNode {
    @Override
    public String describe() {
      return "a list";
    }
  }

  /** A scalar as written, and what kind of value YAML read it as. */
  record Scalar(Position position, String text, Kind kind) implements YamlNode {
    /** How YAML typed the scalar. */
    public enum Kind {
      STRING,
      NUMBER,
      BOOLEAN,
      NULL
    }

    @Override
    public String describe() {
      return switch (kind) {
        case STRING -> "a string";
        case NUMBER -> "a number";
        case BOOLEAN -> "a boolean";
        case NULL -> "nothing";
      };
    }
  }
}
