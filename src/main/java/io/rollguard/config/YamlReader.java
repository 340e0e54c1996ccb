package io.rollguard.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads YAML text into {@link YamlNode}s with positions. Syntax errors and duplicate keys become
 * {@link Problems}. Stateless and thread-safe.
 */
public final class YamlReader {

  private static final YAMLFactory FACTORY = new YAMLFactory();

  private YamlReader() {}

  /**
   * The document in {@code text}, or null when it is empty or does not parse (the reason is in
   * {@code problems}).
   */
  public static YamlNode read(String file, String text, Problems problems) {
    try (JsonParser parser = FACTORY.createParser(text)) {
      JsonToken first = parser.nextToken();
      if (first == null) {
        return null;
      }
      return readValue(parser, file, problems);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      problems.add(
          new Position(
              file,
              at == null ? 1 : Math.max(1, at.getLineNr()),
              at == null ? 1 : Math.max(1, at.getColumnNr())),
          "YAML syntax: " + e.getOriginalMessage());
      return null;
    } catch (IOException e) {
      problems.add(new Position(file, 1, 1), "cannot read: " + e.getMessage());
      return null;
    }
  }

  private static YamlNode readValue(JsonParser parser, String file, Problems problems)
      throws IOException {
    Position at = position(parser, file);
    JsonToken token = parser.currentToken();
    switch (token) {
      case START_OBJECT -> {
        Map<String, YamlNode.Entry> entries = new LinkedHashMap<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          String key = parser.currentName();
          Position keyAt = position(parser, file);
          parser.nextToken();
          YamlNode value = readValue(parser, file, problems);
          if (entries.containsKey(key)) {
            problems.add(keyAt, "duplicate key '" + key + "'");
          } else {
            entries.put(key, new YamlNode.Entry(keyAt, value));
          }
        }
        return new YamlNode.Mapping(at, entries);
      }
      case START_ARRAY -> {
        List<YamlNode> items = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
          items.add(readValue(parser, file, problems));
        }
        return new YamlNode.Sequence(at, items);
      }
      case VALUE_STRING -> {
        return new YamlNode.Scalar(at, parser.getText(), YamlNode.Scalar.Kind.STRING);
      }
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
        return new YamlNode.Scalar(at, parser.getText(), YamlNode.Scalar.Kind.NUMBER);
      }
      case VALUE_TRUE, VALUE_FALSE -> {
        return new YamlNode.Scalar(at, parser.getText(), YamlNode.Scalar.Kind.BOOLEAN);
      }
      case VALUE_NULL -> {
        return new YamlNode.Scalar(at, "", YamlNode.Scalar.Kind.NULL);
      }
      default -> throw new IllegalStateException("unexpected YAML token " + token);
    }
  }

  private static Position position(JsonParser parser, String file) {
    JsonLocation at = parser.currentTokenLocation();
    return new Position(file, Math.max(1, at.getLineNr()), Math.max(1, at.getColumnNr()));
  }
}
