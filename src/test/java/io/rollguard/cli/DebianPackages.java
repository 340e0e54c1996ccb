package io.rollguard.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The Debian packages some integration tests run for real (a Prometheus): found on the PATH, or
 * installed with apt-get by the test itself, so that {@code mvn -B verify} passes on a fresh
 * machine. Where apt cannot install (not root, no network), the test is skipped with a loud message
 * rather than failed.
 */
final class DebianPackages {

  private DebianPackages() {}

  /** The path of {@code binary}, installing {@code pkg} first when it is missing. */
  static synchronized Path require(String binary, String pkg) throws Exception {
    Path found = onPath(binary);
    if (found != null) {
      return found;
    }
    System.err.println("[rollguard tests] " + binary + " not found: apt-get install " + pkg);
    int update = run(List.of("apt-get", "update", "-qq"), 300);
    int install =
        run(List.of("apt-get", "install", "-y", "-qq", "--no-install-recommends", pkg), 600);
    found = onPath(binary);
    if (found == null) {
      String why =
          "SKIPPED: "
              + binary
              + " is not installed and apt-get could not install '"
              + pkg
              + "' (update exit "
              + update
              + ", install exit "
              + install
              + "); install it to run this test";
      System.err.println("[rollguard tests] " + why);
      Assumptions.abort(why);
    }
    return found;
  }

  private static Path onPath(String binary) {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
      Path p = Path.of(dir, binary);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    for (String dir : List.of("/usr/bin", "/usr/sbin", "/bin")) {
      Path p = Path.of(dir, binary);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }

  private static int run(List<String> command, int seconds) throws InterruptedException {
    try {
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
      pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
      Process p = pb.redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return -1;
      }
      return p.exitValue();
    } catch (IOException e) {
      return -2;
    }
  }
}
