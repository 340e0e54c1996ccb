package io.rollguard.metrics;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * What this build is: the semantic version from {@code pom.xml} and the commit it was built from,
 * as the build wrote them into {@code io/rollguard/version.properties}. A build without git (a
 * source tarball) says {@code unknown} for the commit. Immutable.
 */
public record BuildInfo(String version, String commit, String commitTime, boolean modified) {

  private static final String FILE = "/io/rollguard/version.properties";

  /** This build's. */
  public static BuildInfo current() {
    return Holder.CURRENT;
  }

  /** Reads the version file's properties; values the build did not fill in become unknown. */
  static BuildInfo of(Properties p) {
    return new BuildInfo(
        filled(p.getProperty("version")),
        filled(p.getProperty("commit")),
        filled(p.getProperty("commit_time")),
        "true".equals(p.getProperty("dirty")));
  }

  /** {@code rollguard 0.2.0 (commit 1a2b3c4, 2026-12-01T20:35:41Z)}. */
  public String describe() {
    StringBuilder b = new StringBuilder("rollguard ").append(version);
    b.append(" (commit ").append(commit);
    if (modified) {
      b.append(" with local changes");
    }
    if (!commitTime.equals("unknown")) {
      b.append(", ").append(commitTime);
    }
    return b.append(')').toString();
  }

  private static String filled(String value) {
    return value == null || value.isBlank() || value.startsWith("${") ? "unknown" : value.strip();
  }

  private static final class Holder {
    static final BuildInfo CURRENT = load();

    private static BuildInfo load() {
      Properties p = new Properties();
      try (InputStream in = BuildInfo.class.getResourceAsStream(FILE)) {
        if (in != null) {
          p.load(in);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + FILE, e);
      }
      return of(p);
    }
  }
}
