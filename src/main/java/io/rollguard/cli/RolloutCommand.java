package io.rollguard.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.rollguard.clock.Clock;
import io.rollguard.config.Durations;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code rollguard rollout stage|wait|status}: the deployer's side of a progressive rollout, for
 * {@code deploy.sh} scripts. Talks to a running server's API; the admin token comes from an
 * environment variable and is never printed. Exit codes: 0 promote (or done), 1 rollback, 2 no
 * verdict in time, 3 server unreachable, 4 refused (unknown rollout or stage, missing token), 64
 * bad usage.
 */
@Command(
    name = "rollout",
    mixinStandardHelpOptions = true,
    exitCodeOnInvalidInput = 64,
    description = "Drive a progressive rollout from a deploy script: stage, wait, status.",
    subcommands = {
      RolloutCommand.Stage.class,
      RolloutCommand.Wait.class,
      RolloutCommand.Status.class
    })
final class RolloutCommand {

  /** The options every rollout command takes. */
  static final class Server {
    @Option(
        names = "--server",
        paramLabel = "URL",
        defaultValue = "${env:ROLLGUARD_SERVER:-http://127.0.0.1:8080}",
        converter = ServerUrl.class,
        description = "the Rollguard server (default: $ROLLGUARD_SERVER or ${DEFAULT-VALUE})")
    URI server;

    @Option(
        names = "--token-env",
        paramLabel = "NAME",
        defaultValue = "ROLLGUARD_ADMIN_TOKEN",
        description = "environment variable holding the admin token (default: ${DEFAULT-VALUE})")
    String tokenEnv;

    @Option(
        names = "--request-timeout",
        paramLabel = "DURATION",
        defaultValue = "10s",
        converter = PositiveDuration.class,
        description = "how long one request may take (default: ${DEFAULT-VALUE})")
    Duration requestTimeout;

    RolloutClient client() {
      return new RolloutClient(server, System.getenv(tokenEnv), requestTimeout);
    }
  }

  @Command(
      name = "stage",
      mixinStandardHelpOptions = true,
      exitCodeOnInvalidInput = 64,
      description = "Set the rollout's live stage (needs the admin token when one is configured).")
  static final class Stage implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "ROLLOUT")
    String rollout;

    @Parameters(index = "1", paramLabel = "STAGE")
    String stage;

    @Mixin Server server;

    @Option(names = "--json", description = "print the verdict after the change as JSON")
    boolean json;

    @Override
    public Integer call() throws InterruptedException {
      return answer(
          () -> server.client().setStage(rollout, stage),
          json,
          v -> {
            System.out.println(rollout + ": stage set to " + stage);
            VerdictText.status(v).forEach(System.out::println);
          });
    }
  }

  @Command(
      name = "wait",
      mixinStandardHelpOptions = true,
      exitCodeOnInvalidInput = 64,
      description = {
        "Block until the verdict is promote (exit 0) or rollback (exit 1), printing the criteria"
            + " as they change; exit 2 when the timeout passes first (still holding), 3 when the"
            + " server stays unreachable, 4 when it refuses (unknown rollout)."
      })
  static final class Wait implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "ROLLOUT")
    String rollout;

    @Mixin Server server;

    @Option(
        names = "--timeout",
        paramLabel = "DURATION",
        defaultValue = "30m",
        converter = PositiveDuration.class,
        description = "give up after this long (default: ${DEFAULT-VALUE})")
    Duration timeout;

    @Option(
        names = "--interval",
        paramLabel = "DURATION",
        defaultValue = "2s",
        converter = PositiveDuration.class,
        description = "how often to read the verdict (default: ${DEFAULT-VALUE})")
    Duration interval;

    @Option(
        names = "--unreachable-for",
        paramLabel = "DURATION",
        defaultValue = "1m",
        converter = PositiveDuration.class,
        description =
            "how long the server may be away (a restart) before giving up (default:"
                + " ${DEFAULT-VALUE})")
    Duration unreachableFor;

    @Override
    public Integer call() throws InterruptedException {
      RolloutClient client = server.client();
      return new RolloutWaiter(Clock.system(), Thread::sleep, System.out, System.err)
          .await(() -> client.verdict(rollout), timeout, interval, unreachableFor);
    }
  }

  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      exitCodeOnInvalidInput = 64,
      description = "Print the rollout's verdict, stage and criteria now.")
  static final class Status implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "ROLLOUT")
    String rollout;

    @Mixin Server server;

    @Option(names = "--json", description = "print the verdict as the API gives it")
    boolean json;

    @Override
    public Integer call() throws InterruptedException {
      return answer(
          () -> server.client().verdict(rollout),
          json,
          v -> VerdictText.status(v).forEach(System.out::println));
    }
  }

  /** {@code 30m}, {@code 2s}: a duration above zero, else a usage error (exit 64). */
  static final class PositiveDuration implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      Duration d;
      try {
        d = Durations.parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
      if (d.isZero() || d.isNegative()) {
        throw new CommandLine.TypeConversionException("must be more than 0, got '" + value + "'");
      }
      return d;
    }
  }

  /** An http(s) URL with a host, else a usage error (exit 64), never a "rollback". */
  static final class ServerUrl implements CommandLine.ITypeConverter<URI> {
    @Override
    public URI convert(String value) {
      try {
        URI u = new URI(value.strip());
        if (u.getScheme() != null
            && (u.getScheme().equals("http") || u.getScheme().equals("https"))
            && u.getHost() != null) {
          return u;
        }
      } catch (java.net.URISyntaxException e) {
        // said below
      }
      throw new CommandLine.TypeConversionException(
          "must be an http(s) URL such as http://127.0.0.1:8080, got '" + value + "'");
    }
  }

  /** Prints what one request answered (as JSON or as text) and gives the exit code. */
  private static int answer(RolloutWaiter.Source request, boolean json, Consumer<JsonNode> text)
      throws InterruptedException {
    try {
      JsonNode v = request.verdict();
      if (json) {
        System.out.println(v.toPrettyString());
      } else {
        text.accept(v);
      }
      return 0;
    } catch (RolloutClient.Unreachable e) {
      System.err.println("rollguard: " + e.getMessage());
      return RolloutWaiter.UNREACHABLE;
    } catch (RolloutClient.Refused e) {
      System.err.println("rollguard: " + e.getMessage());
      return RolloutWaiter.REFUSED;
    }
  }
}
