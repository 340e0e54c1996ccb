package io.rollguard.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rollguard.alerting.AlertEvent;
import io.rollguard.config.RollguardConfig;
import io.rollguard.replay.Replayer;
import io.rollguard.rules.RuleLoader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.zip.GZIPInputStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rollguard replay --rules rules/ --input recorded.ndjson}: a backtest. Prints, in time
 * order, what would have fired, resolved and been rolled back on the recorded data, and who would
 * have been told; {@code --json} prints one JSON object per line instead. Sends nothing.
 */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    description = "Backtest rules on recorded NDJSON: print what would have fired; send nothing.")
final class ReplayCommand implements Callable<Integer> {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Option(
      names = "--rules",
      required = true,
      arity = "1..*",
      paramLabel = "PATH",
      description = "rule files or directories")
  List<Path> rules;

  @Option(
      names = "--input",
      required = true,
      paramLabel = "FILE",
      description = "recorded ingest NDJSON with time stamps (.gz too), in time order")
  Path input;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "rollguard.yaml: evaluation interval, limits, receivers and routes")
  Path config;

  @Option(names = "--json", description = "one JSON object per transition")
  boolean json;

  @Option(
      names = "--stage",
      paramLabel = "ROLLOUT=STAGE",
      description = "the live stage of a rollout during the recording (default: its first stage)")
  java.util.Map<String, String> stages = new java.util.LinkedHashMap<>();

  @Override
  public Integer call() throws IOException {
    RollguardConfig settings = CommandInputs.config(config);
    if (settings == null) {
      return 1;
    }
    RuleLoader.Result files = CommandInputs.rules(rules, settings, config != null);
    if (!files.valid()) {
      System.out.print(files.problems().format());
      return 1;
    }
    int[] counts = new int[3];
    Replayer.Summary summary;
    try (InputStream in = open(input)) {
      summary =
          new Replayer(settings, files, stages)
              .replay(
                  in,
                  entry -> {
                    AlertEvent e = entry.event();
                    if (e.kind() == AlertEvent.Kind.PENDING) {
                      return;
                    }
                    String what = event(e);
                    counts[what.equals("firing") ? 0 : what.equals("rollback") ? 1 : 2]++;
                    System.out.println(
                        json ? json(e, what, entry.receivers()) : text(e, what, entry.receivers()));
                  });
    } catch (IllegalArgumentException e) {
      System.out.println((e.getMessage().startsWith("line ") ? input + ": " : "") + e.getMessage());
      return 1;
    }
    if (!json) {
      System.out.printf(
          Locale.ROOT,
          "replayed %d line(s) from %s to %s: %d sample(s) accepted, %d rejected; %d fired, %d"
              + " rolled back, %d resolved%n",
          summary.lines(),
          Instant.ofEpochMilli(summary.fromMillis()),
          Instant.ofEpochMilli(summary.toMillis()),
          summary.accepted(),
          summary.rejected(),
          counts[0],
          counts[1],
          counts[2]);
    }
    return 0;
  }

  private static InputStream open(Path file) throws IOException {
    InputStream in = Files.newInputStream(file);
    return file.toString().endsWith(".gz") ? new GZIPInputStream(in, 1 << 16) : in;
  }

  /** {@code rollback} for a rollout's rollback verdict, else firing or resolved. */
  private static String event(AlertEvent e) {
    if (e.kind() == AlertEvent.Kind.FIRING) {
      return e.rollout() != null ? "rollback" : "firing";
    }
    return "resolved";
  }

  private static String text(AlertEvent e, String what, List<String> receivers) {
    StringBuilder sb =
        new StringBuilder()
            .append(Instant.ofEpochMilli(e.atMillis()))
            .append("  ")
            .append(String.format(Locale.ROOT, "%-8s", what.toUpperCase(Locale.ROOT)))
            .append("  ")
            .append(e.rule())
            .append(' ')
            .append(e.labels().isEmpty() ? "{}" : new java.util.TreeMap<>(e.labels()).toString())
            .append("  ")
            .append(e.reason());
    if (!receivers.isEmpty()) {
      sb.append("  -> ").append(String.join(", ", receivers));
    }
    return sb.append("  incident ").append(e.incidentId()).toString();
  }

  private static String json(AlertEvent e, String what, List<String> receivers) {
    ObjectNode o =
        JSON.createObjectNode()
            .put("at", Instant.ofEpochMilli(e.atMillis()).toString())
            .put("event", what)
            .put("rule", e.rule())
            .put("severity", e.severity().wireName());
    ObjectNode labels = o.putObject("labels");
    new java.util.TreeMap<>(e.labels()).forEach(labels::put);
    if (Double.isFinite(e.value())) {
      o.put("value", e.value());
    } else {
      o.putNull("value");
    }
    o.put("value_text", e.valueText())
        .put("threshold", e.threshold())
        .put("expr", e.expr())
        .put("reason", e.reason())
        .put("incident_id", e.incidentId());
    if (e.rollout() != null) {
      o.putObject("rollout").put("name", e.rollout().name()).put("stage", e.rollout().stage());
    }
    receivers.forEach(o.putArray("receivers")::add);
    return o.toString();
  }
}
