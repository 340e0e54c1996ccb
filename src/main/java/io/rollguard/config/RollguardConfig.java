package io.rollguard.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The server's settings ({@code rollguard.yaml}, SPEC section 7). Every setting has a default, so
 * {@link #defaults()} runs a complete server. Immutable; secrets never appear in {@code toString}.
 */
public record RollguardConfig(
    Server server,
    Duration evaluationInterval,
    Path dataDir,
    List<Path> rules,
    boolean allowEmptyRules,
    Auth auth,
    Limits limits,
    Map<String, Receiver> receivers,
    Map<String, List<String>> routes,
    String externalUrl,
    Otlp otlp,
    RemoteWrite remoteWrite,
    Status status,
    List<Report> reports,
    Cluster cluster) {

  /**
   * The URL under which people reach this server, for links in notifications; null: derived from
   * {@code server.host}/{@code port}.
   */
  public String linkBase(int actualPort) {
    if (externalUrl != null) {
      return externalUrl.endsWith("/")
          ? externalUrl.substring(0, externalUrl.length() - 1)
          : externalUrl;
    }
    String host = server.host().equals("0.0.0.0") ? "localhost" : server.host();
    return (server.tls().enabled() ? "https://" : "http://") + host + ":" + actualPort;
  }

  /** The same settings reading rules from {@code files} instead. */
  public RollguardConfig withRules(List<Path> files) {
    return new RollguardConfig(
        server,
        evaluationInterval,
        dataDir,
        List.copyOf(files),
        allowEmptyRules,
        auth,
        limits,
        receivers,
        routes,
        externalUrl,
        otlp,
        remoteWrite,
        status,
        reports,
        cluster);
  }

  /**
   * Where the HTTP server listens ({@code port} 0 picks a free port), and how long a connection
   * with no request in progress is kept: idle keep-alive connections and connections that never
   * finish sending their request headers (slowloris) are closed after {@code idleTimeout}.
   */
  public record Server(String host, int port, Tls tls, Duration idleTimeout) {}

  /** PEM certificate chain and private key; both null when TLS is off. */
  public record Tls(Path cert, Path key) {
    public boolean enabled() {
      return cert != null;
    }
  }

  /** Bearer tokens for ingest (none: ingest is open) and for admin endpoints. */
  public record Auth(List<IngestToken> ingestTokens, String adminToken) {
    @Override
    public String toString() {
      return "Auth[ingestTokens="
          + ingestTokens
          + ", adminToken="
          + (adminToken == null ? "none" : "***")
          + "]";
    }
  }

  /** An ingest token, optionally allowed to write only some services (empty: all). */
  public record IngestToken(String token, Set<String> services) {
    public boolean allows(String service) {
      return services.isEmpty() || services.contains(service);
    }

    @Override
    public String toString() {
      return "IngestToken[***, services=" + services + "]";
    }
  }

  /**
   * Limits that keep one client from hurting the others. A request body may take {@code
   * bodyTimeout} plus one second per {@code bodyMinRate} bytes received.
   */
  public record Limits(
      long maxBodyBytes,
      int maxSeries,
      int maxSeriesPerService,
      int maxLabels,
      int maxLabelValueLength,
      Duration maxFutureSkew,
      Duration maxWindow,
      int maxInflightRequests,
      Duration bodyTimeout,
      long bodyMinRate) {}

  /**
   * A notification receiver as configured (SPEC section 4). {@code type} is {@code slack}, {@code
   * pagerduty}, {@code webhook} or {@code console}; {@code format} is {@code webhook} or {@code
   * alertmanager} for webhooks; a {@code rollback} receiver is called once per incident and never
   * on resolve. Secrets (the URL, which for Slack is the credential, the routing key and the
   * signing secret) are redacted from {@code toString}.
   */
  public record Receiver(
      String name,
      String type,
      String url,
      String routingKey,
      String secret,
      String format,
      boolean rollback,
      String fallback,
      Duration repeatInterval,
      Delivery delivery,
      ChangeEvents changeEvents,
      Email email) {

    /**
     * Whether it can show a scheduled report: email, Slack, the console and webhooks of our own
     * format that are not rollback receivers.
     */
    public boolean takesReports() {
      return !rollback
          && type != null
          && switch (type) {
            case "email", "slack", "console" -> true;
            case "webhook" -> !"alertmanager".equals(format);
            default -> false;
          };
    }

    /** Whether it takes alerts (a PagerDuty receiver with {@code change_events: only} does not). */
    public boolean takesAlerts() {
      return changeEvents != ChangeEvents.ONLY;
    }

    @Override
    public String toString() {
      return "Receiver["
          + name
          + ", type="
          + type
          + ", url="
          + (url == null ? "none" : "***")
          + ", delivery="
          + delivery
          + "]";
    }
  }

  /**
   * PagerDuty change events for rollouts (rollbacks, stage changes): {@code OFF}; {@code ALSO}
   * besides the receiver's alerts ({@code change_events: true}); {@code ONLY}, never a page.
   */
  public enum ChangeEvents {
    OFF,
    ALSO,
    ONLY
  }

  /**
   * An email receiver's SMTP server and message: {@code tls} is how the connection is secured
   * ({@code starttls}: upgrade, required; {@code tls}: TLS from the first byte; {@code none}:
   * plain, for a relay on localhost); {@code caFile} a PEM file of the certificates to trust
   * instead of the JVM's; {@code username}/{@code password} for AUTH (both or neither). The
   * password is redacted from {@code toString}.
   */
  public record Email(
      String host,
      int port,
      String tls,
      String username,
      String password,
      String caFile,
      String from,
      List<String> to,
      MessageTemplate subject) {
    public Email {
      to = List.copyOf(to);
    }

    @Override
    public String toString() {
      return "Email["
          + host
          + ":"
          + port
          + ", tls="
          + tls
          + ", auth="
          + (username == null ? "none" : "***")
          + ", from="
          + from
          + ", to="
          + to
          + "]";
    }
  }

  /**
   * How a receiver's notifications are delivered: the request {@code timeout}; retries with
   * exponential backoff from {@code initialBackoff} up to {@code maxBackoff}, until {@code
   * maxAttempts} attempts or {@code maxAge} since the notification was made; and a token bucket of
   * {@code ratePerSecond} with room for {@code burst} requests ({@code ratePerSecond} 0: no limit).
   */
  public record Delivery(
      Duration timeout,
      int maxAttempts,
      Duration maxAge,
      Duration initialBackoff,
      Duration maxBackoff,
      double ratePerSecond,
      int burst) {}

  public static final Limits DEFAULT_LIMITS =
      new Limits(
          8L << 20,
          100_000,
          10_000,
          16,
          128,
          Duration.ofSeconds(10),
          Duration.ofHours(1),
          256,
          Duration.ofSeconds(20),
          1_024);

  public static RollguardConfig defaults() {
    return new RollguardConfig(
        new Server("0.0.0.0", 8080, new Tls(null, null), Duration.ofSeconds(60)),
        Duration.ofSeconds(1),
        Path.of("data"),
        List.of(Path.of("rules")),
        false,
        new Auth(List.of(), null),
        DEFAULT_LIMITS,
        Map.of(),
        Map.of("critical", List.of(), "warning", List.of(), "info", List.of()),
        null,
        DEFAULT_OTLP,
        DEFAULT_REMOTE_WRITE,
        DEFAULT_STATUS,
        List.of(),
        null);
  }

  /**
   * What the status page and the metrics keep of the evaluation ({@code history:} and {@code
   * metrics:}): each rule instance's and SLO's values for {@code historyRetention}, in at most
   * {@code historyMaxTracks} tracks; rule instances exported as {@code rollguard_rule_*} gauges, at
   * most {@code maxRuleGroups} of them.
   */
  public record Status(Duration historyRetention, int historyMaxTracks, int maxRuleGroups) {}

  /**
   * Cluster mode on Kafka ({@code cluster:}, docs/cluster.md); null: one node. {@code kafka} goes
   * to the Kafka clients as it is (security, SASL, TLS); its values are redacted from {@code
   * toString}, since they hold credentials. {@code advertise} is the host:port other nodes reach
   * this node's HTTP API at (null: this host's name and the server port).
   */
  public record Cluster(
      List<String> bootstrapServers,
      String group,
      String keyLabel,
      int partitions,
      int replicationFactor,
      Map<String, String> topics,
      Duration produceTimeout,
      Map<String, String> kafka,
      String advertise) {
    public Cluster {
      bootstrapServers = List.copyOf(bootstrapServers);
      topics = Map.copyOf(topics);
      kafka = Map.copyOf(kafka);
    }

    @Override
    public String toString() {
      return "Cluster["
          + bootstrapServers
          + ", group="
          + group
          + ", key_label="
          + keyLabel
          + ", partitions="
          + partitions
          + ", kafka="
          + new java.util.TreeSet<>(kafka.keySet())
          + " (values redacted)]";
    }
  }

  /**
   * A scheduled report ({@code reports:}): when ({@code schedule}, in its time zone), over what
   * {@code span} (ending when the report is made), to which {@code receivers}, holding which
   * sections ({@code include}: slos, incidents, rollouts, noisy_rules; empty: all).
   */
  public record Report(
      String name, Schedule schedule, Duration span, List<String> receivers, List<String> include) {
    public Report {
      receivers = List.copyOf(receivers);
      include = List.copyOf(include);
    }
  }

  public static final Status DEFAULT_STATUS = new Status(Duration.ofHours(1), 1_000, 1_000);

  /**
   * How Prometheus remote write maps onto series ({@code remote_write:}): which classic and native
   * histograms are request latencies (by metric name, without {@code _bucket}), and which label
   * names the service ({@code job} when it is missing).
   */
  public record RemoteWrite(List<String> requestMetrics, String serviceLabel) {}

  public static final RemoteWrite DEFAULT_REMOTE_WRITE =
      new RemoteWrite(
          List.of("http_server_request_duration_seconds", "http_request_duration_seconds"),
          "service");

  /**
   * How OTLP metrics map onto series ({@code otlp:}): which histogram metrics are request
   * latencies, which resource attributes become which labels, and which data point attributes are
   * not labels (the status attributes that only decide whether a request failed, and the
   * per-connection ones).
   */
  public record Otlp(
      List<String> requestMetrics,
      Map<String, String> resourceLabels,
      Set<String> dropAttributes) {}

  public static final Otlp DEFAULT_OTLP =
      new Otlp(
          List.of("http.server.request.duration", "rpc.server.duration", "http.server.requests"),
          orderedMap(
              "service.version", "version",
              "deployment.environment.name", "environment",
              "deployment.environment", "environment",
              "k8s.pod.name", "pod",
              "stage", "stage"),
          Set.of(
              "http.response.status_code",
              "http.status_code",
              "error.type",
              "rpc.grpc.status_code",
              "status",
              "outcome",
              "exception",
              "error",
              "url.scheme",
              "network.protocol.name",
              "network.protocol.version",
              "server.address",
              "server.port"));

  private static Map<String, String> orderedMap(String... pairs) {
    Map<String, String> m = new java.util.LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put(pairs[i], pairs[i + 1]);
    }
    return java.util.Collections.unmodifiableMap(m);
  }
}
