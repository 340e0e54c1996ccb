package io.rollguard.cli;

import io.rollguard.metrics.BuildInfo;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code rollguard <command>}: the entry point of the runnable jar. */
@Command(
    name = "rollguard",
    mixinStandardHelpOptions = true,
    exitCodeOnInvalidInput = 64,
    versionProvider = Main.Version.class,
    description = "Evaluates SLO, rollback and rollout rules over pushed metrics, in seconds.",
    subcommands = {
      ServeCommand.class,
      CheckCommand.class,
      TestCommand.class,
      ReplayCommand.class,
      DemoCommand.class,
      RolloutCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main {

  /** Held: a logger nobody references may be collected, and its level with it. */
  private static final java.util.logging.Logger KAFKA_LOGS =
      java.util.logging.Logger.getLogger("org.apache.kafka");

  /**
   * The clients' network layer warns of every failed reconnect (several a second per client while a
   * broker is away); Rollguard says once that it cannot read or write ({@code cluster:} lines).
   */
  private static final java.util.logging.Logger KAFKA_NETWORK_LOGS =
      java.util.logging.Logger.getLogger("org.apache.kafka.clients.NetworkClient");

  public static void main(String[] args) {
    System.setProperty(
        "java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tLZ %4$s %3$s - %5$s%6$s%n");
    // the Kafka clients of cluster mode log every setting at INFO; their warnings are what matters
    KAFKA_LOGS.setLevel(java.util.logging.Level.WARNING);
    KAFKA_NETWORK_LOGS.setLevel(java.util.logging.Level.SEVERE);
    // serve returns only once a shutdown has begun; exiting then just waits for the hooks.
    System.exit(new CommandLine(new Main()).execute(args));
  }

  /** The semantic version and the commit, as the build recorded them. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {BuildInfo.current().describe()};
    }
  }
}
