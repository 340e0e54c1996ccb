package io.rollguard.server;

import io.rollguard.clock.ManualClock;
import io.rollguard.config.ConfigLoader;
import io.rollguard.config.RollguardConfig;
import java.nio.file.Path;

/** Builds servers for tests: port 0, a temporary data dir, and a config given as YAML. */
final class TestServers {

  static final long NOW = 1_763_900_000_000L;

  private TestServers() {}

  static RollguardConfig config(Path dataDir, String extraYaml)
      throws ConfigLoader.InvalidConfigException {
    String server = extraYaml.startsWith("server:") ? "" : "server: {host: 127.0.0.1, port: 0}\n";
    String yaml = server + "data_dir: " + dataDir + "\n" + extraYaml;
    return ConfigLoader.parse("test.yaml", yaml, dataDir, name -> null);
  }

  /** A JSON batch of {@code n} 10 ms requests for {@code service}, all ok or all failed. */
  static String requests(String service, boolean ok, int n) {
    StringBuilder sb = new StringBuilder("{\"service\":\"" + service + "\",\"requests\":[");
    for (int i = 0; i < n; i++) {
      sb.append(i > 0 ? "," : "").append("{\"latency_ms\":10,\"ok\":").append(ok).append('}');
    }
    return sb.append("]}").toString();
  }

  static ManualClock clock() {
    return new ManualClock(NOW);
  }
}
