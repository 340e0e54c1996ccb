package io.rollguard.ingest;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Interns the {@code labels} objects of ingest bodies as the parser reads them: the pairs go into
 * scratch space (names are Jackson's canonical strings, values are copied as characters), and a
 * label set seen before comes back as the same {@link Set} object, found by hash and compared
 * character by character, with nothing allocated. Only a set never seen before becomes strings.
 * That makes "this item's labels" one reference, which the series cache then resolves without
 * building anything (issue #12: per-item label maps were most of the cost of many-series bodies).
 *
 * <p>The table is bounded: past {@link #MAX_SETS} distinct sets it starts over (the sets already
 * handed out stay valid, only their sharing is lost). Not thread-safe: one per {@link Ingestor}.
 */
final class LabelSets {

  /** One interned label set, pairs in the order they were written. Immutable. */
  static final class Set {
    final String[] names;
    final String[] values;
    final int hash;

    private Set(String[] names, String[] values, int hash) {
      this.names = names;
      this.values = values;
      this.hash = hash;
    }

    int size() {
      return names.length;
    }

    /** The pairs as a map (later duplicates win), for the rare paths that need one. */
    Map<String, String> asMap() {
      Map<String, String> map = new LinkedHashMap<>();
      for (int i = 0; i < names.length; i++) {
        map.put(names[i], values[i]);
      }
      return map;
    }
  }

  static final Set EMPTY = new Set(new String[0], new String[0], 0);

  /** At most this many distinct sets are kept before the table starts over. */
  static final int MAX_SETS = 1 << 16;

  /** More pairs than this in one object are not interned (the item is refused for its labels). */
  static final int MAX_PAIRS = 64;

  private Set[] table = new Set[1 << 10];
  private int size;

  private final String[] names = new String[MAX_PAIRS];
  private final int[] valueFrom = new int[MAX_PAIRS];
  private final int[] valueLength = new int[MAX_PAIRS];
  private char[] chars = new char[1 << 10];
  private int pairs;
  private int charsUsed;
  private int hash;
  private boolean overflow;

  /** Starts a new set in the scratch space. */
  void start() {
    pairs = 0;
    charsUsed = 0;
    hash = 0;
    overflow = false;
  }

  /** Adds a pair; the characters are copied. */
  void add(String name, char[] value, int offset, int length) {
    if (pairs == MAX_PAIRS) {
      overflow = true;
      return;
    }
    if (charsUsed + length > chars.length) {
      chars = Arrays.copyOf(chars, Math.max(chars.length * 2, charsUsed + length));
    }
    System.arraycopy(value, offset, chars, charsUsed, length);
    names[pairs] = name;
    valueFrom[pairs] = charsUsed;
    valueLength[pairs] = length;
    int h = 0;
    for (int i = 0; i < length; i++) {
      h = 31 * h + value[offset + i];
    }
    hash = 31 * (31 * hash + name.hashCode()) + h;
    charsUsed += length;
    pairs++;
  }

  void add(String name, String value) {
    add(name, value.toCharArray(), 0, value.length());
  }

  /** Whether more than {@link #MAX_PAIRS} pairs were added since {@link #start}. */
  boolean overflowed() {
    return overflow;
  }

  /** The set the scratch space holds: the one interned before, or a new one. */
  Set intern() {
    if (pairs == 0) {
      return EMPTY;
    }
    int mask = table.length - 1;
    int slot = mix(hash) & mask;
    for (Set s = table[slot]; s != null; s = table[slot = (slot + 1) & mask]) {
      if (s.hash == hash && sameAsScratch(s)) {
        return s;
      }
    }
    String[] n = Arrays.copyOf(names, pairs);
    String[] v = new String[pairs];
    for (int i = 0; i < pairs; i++) {
      v[i] = new String(chars, valueFrom[i], valueLength[i]);
    }
    Set created = new Set(n, v, hash);
    if (size >= MAX_SETS) {
      table = new Set[table.length];
      size = 0;
      slot = mix(hash) & (table.length - 1);
    } else if (2 * (size + 1) > table.length) {
      grow();
      slot = findFree(hash);
    }
    table[slot] = created;
    size++;
    return created;
  }

  private boolean sameAsScratch(Set s) {
    if (s.names.length != pairs) {
      return false;
    }
    for (int i = 0; i < pairs; i++) {
      String name = s.names[i];
      if (name != names[i] && !name.equals(names[i])) {
        return false;
      }
      String value = s.values[i];
      int length = valueLength[i];
      if (value.length() != length) {
        return false;
      }
      int from = valueFrom[i];
      for (int k = 0; k < length; k++) {
        if (value.charAt(k) != chars[from + k]) {
          return false;
        }
      }
    }
    return true;
  }

  private void grow() {
    Set[] old = table;
    table = new Set[old.length * 2];
    for (Set s : old) {
      if (s != null) {
        table[findFree(s.hash)] = s;
      }
    }
  }

  private int findFree(int h) {
    int mask = table.length - 1;
    int slot = mix(h) & mask;
    while (table[slot] != null) {
      slot = (slot + 1) & mask;
    }
    return slot;
  }

  static int mix(int h) {
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    return h ^ (h >>> 13);
  }
}
