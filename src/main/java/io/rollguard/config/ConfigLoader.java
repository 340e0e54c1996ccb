package io.rollguard.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Reads {@code rollguard.yaml} strictly: unknown keys, wrong types and out-of-range values are all
 * reported, each at its {@code file:line:column}. {@code ${NAME}} in strings is replaced from the
 * environment. Relative paths are resolved against the config file's directory. Stateless.
 */
public final class ConfigLoader {

  /** The file did not validate; {@link #getMessage()} lists every problem, one per line. */
  public static final class InvalidConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    public InvalidConfigException(String problems) {
      super(problems);
    }
  }

  private static final Set<String> SEVERITIES = Set.of("critical", "warning", "info");

  private ConfigLoader() {}

  public static RollguardConfig load(Path file, UnaryOperator<String> env)
      throws InvalidConfigException {
    Problems unreadable = new Problems();
    String text = YamlReader.readFile(file, file.toString(), unreadable);
    if (text == null) {
      throw new InvalidConfigException(unreadable.format());
    }
    Path base = file.toAbsolutePath().getParent();
    return parse(file.toString(), text, base, env);
  }

  public static RollguardConfig parse(
      String fileName, String text, Path baseDir, UnaryOperator<String> env)
      throws InvalidConfigException {
    Problems problems = new Problems();
    YamlNode root = YamlReader.read(fileName, text, problems);
    RollguardConfig defaults = RollguardConfig.defaults();
    if (root == null) {
      if (!problems.isEmpty()) {
        throw new InvalidConfigException(problems.format());
      }
      return defaults;
    }
    Fields top = Fields.of(root, "the configuration", problems, env);

    Fields server = top.mapping("server");
    String host = server.string("host", defaults.server().host());
    int port = (int) server.integer("port", defaults.server().port(), 0, 65_535);
    Duration idleTimeout =
        server.duration(
            "idle_timeout",
            defaults.server().idleTimeout(),
            Duration.ofMillis(100),
            Duration.ofHours(1));
    Fields tls = server.mapping("tls");
    String cert = tls.string("cert", null);
    String key = tls.string("key", null);
    if ((cert == null) != (key == null)) {
      problems.add(tls.position(), "'tls' needs both 'cert' and 'key'");
    }
    tls.finish();
    server.finish();

    Duration evaluationInterval =
        top.duration(
            "evaluation_interval",
            defaults.evaluationInterval(),
            Duration.ofMillis(100),
            Duration.ofMinutes(5));
    String dataDir = top.string("data_dir", defaults.dataDir().toString());
    List<String> rules = top.has("rules") ? top.strings("rules") : List.of("rules");
    boolean allowEmptyRules = top.bool("allow_empty_rules", defaults.allowEmptyRules());

    Fields auth = top.mapping("auth");
    List<RollguardConfig.IngestToken> tokens = new ArrayList<>();
    for (YamlNode item : auth.list("ingest_tokens")) {
      Fields t = Fields.of(item, "an ingest token", problems, env);
      String token = t.requiredString("token");
      Set<String> services = new LinkedHashSet<>(t.strings("services"));
      t.finish();
      if (token != null && token.isEmpty()) {
        problems.add(item.position(), "'token' must not be empty");
      } else if (token != null) {
        tokens.add(new RollguardConfig.IngestToken(token, Set.copyOf(services)));
      }
    }
    String adminToken = auth.string("admin_token", null);
    auth.finish();

    RollguardConfig.Limits d = RollguardConfig.DEFAULT_LIMITS;
    Fields limits = top.mapping("limits");
    RollguardConfig.Limits limitValues =
        new RollguardConfig.Limits(
            limits.bytes("max_body_bytes", d.maxBodyBytes(), 1_024, 1L << 30),
            (int) limits.integer("max_series", d.maxSeries(), 1, 10_000_000),
            (int) limits.integer("max_series_per_service", d.maxSeriesPerService(), 1, 10_000_000),
            (int) limits.integer("max_labels", d.maxLabels(), 1, 64),
            (int) limits.integer("max_label_value_length", d.maxLabelValueLength(), 1, 4_096),
            limits.duration(
                "max_future_skew", d.maxFutureSkew(), Duration.ZERO, Duration.ofHours(1)),
            limits.duration(
                "max_window", d.maxWindow(), Duration.ofMinutes(1), Duration.ofHours(24)),
            (int) limits.integer("max_inflight_requests", d.maxInflightRequests(), 1, 1_000_000),
            limits.duration(
                "body_timeout", d.bodyTimeout(), Duration.ofMillis(100), Duration.ofHours(1)),
            limits.bytes("body_min_rate", d.bodyMinRate(), 1, 1L << 30));
    limits.finish();

    RollguardConfig.Otlp otlpDefaults = RollguardConfig.DEFAULT_OTLP;
    Fields otlp = top.mapping("otlp");
    RollguardConfig.Otlp otlpValues =
        new RollguardConfig.Otlp(
            otlp.has("request_metrics")
                ? List.copyOf(otlp.strings("request_metrics"))
                : otlpDefaults.requestMetrics(),
            otlp.has("resource_labels")
                ? java.util.Collections.unmodifiableMap(otlp.stringMap("resource_labels"))
                : otlpDefaults.resourceLabels(),
            otlp.has("drop_attributes")
                ? Set.copyOf(otlp.strings("drop_attributes"))
                : otlpDefaults.dropAttributes());
    otlp.finish();

    RollguardConfig.RemoteWrite rwDefaults = RollguardConfig.DEFAULT_REMOTE_WRITE;
    Fields remoteWrite = top.mapping("remote_write");
    RollguardConfig.RemoteWrite remoteWriteValues =
        new RollguardConfig.RemoteWrite(
            remoteWrite.has("request_metrics")
                ? List.copyOf(remoteWrite.strings("request_metrics"))
                : rwDefaults.requestMetrics(),
            remoteWrite.string("service_label", rwDefaults.serviceLabel()));
    remoteWrite.finish();

    RollguardConfig.Status statusDefaults = RollguardConfig.DEFAULT_STATUS;
    Fields history = top.mapping("history");
    Duration historyRetention =
        history.duration(
            "retention",
            statusDefaults.historyRetention(),
            Duration.ofMinutes(1),
            Duration.ofHours(24));
    int historyMaxTracks =
        (int) history.integer("max_tracks", statusDefaults.historyMaxTracks(), 0, 1_000_000);
    history.finish();
    Fields metrics = top.mapping("metrics");
    int maxRuleGroups =
        (int) metrics.integer("max_rule_groups", statusDefaults.maxRuleGroups(), 0, 1_000_000);
    metrics.finish();

    Map<String, RollguardConfig.Receiver> receivers =
        ReceiverSettings.read(top, problems, env, baseDir);
    String externalUrl = top.string("external_url", null);
    if (externalUrl != null && !externalUrl.matches("https?://\\S+")) {
      problems.add(top.node("external_url").position(), "'external_url' must be an http(s) URL");
    }

    Map<String, List<String>> routes = new LinkedHashMap<>(defaults.routes());
    Fields routeFields = top.mapping("routes");
    for (var e : routeFields.entries().entrySet()) {
      if (!SEVERITIES.contains(e.getKey())) {
        problems.add(
            e.getValue().keyPosition(),
            "unknown severity '" + e.getKey() + "' in routes (expected critical, warning or info)");
        continue;
      }
      List<String> names = routeFields.strings(e.getKey());
      for (String name : names) {
        if (!receivers.containsKey(name)) {
          problems.add(
              e.getValue().value().position(),
              "route '" + e.getKey() + "' names unknown receiver '" + name + "'");
        }
      }
      routes.put(e.getKey(), List.copyOf(names));
    }
    List<RollguardConfig.Report> reports = ReportSettings.read(top, problems, env, receivers);
    RollguardConfig.Cluster cluster = ClusterSettings.read(top, problems, env);
    top.finish();

    if (!problems.isEmpty()) {
      throw new InvalidConfigException(problems.format());
    }
    return new RollguardConfig(
        new RollguardConfig.Server(
            host,
            port,
            new RollguardConfig.Tls(resolve(baseDir, cert), resolve(baseDir, key)),
            idleTimeout),
        evaluationInterval,
        resolve(baseDir, dataDir),
        rules.stream().map(r -> resolve(baseDir, r)).toList(),
        allowEmptyRules,
        new RollguardConfig.Auth(List.copyOf(tokens), adminToken),
        limitValues,
        Map.copyOf(receivers),
        Map.copyOf(routes),
        externalUrl,
        otlpValues,
        remoteWriteValues,
        new RollguardConfig.Status(historyRetention, historyMaxTracks, maxRuleGroups),
        reports,
        cluster);
  }

  private static Path resolve(Path baseDir, String path) {
    if (path == null) {
      return null;
    }
    Path p = Path.of(path);
    return baseDir == null || p.isAbsolute() ? p : baseDir.resolve(p).normalize();
  }
}
