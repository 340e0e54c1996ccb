package io.rollguard.cli;

import io.rollguard.clock.Clock;
import io.rollguard.config.ConfigLoader;
import io.rollguard.config.RollguardConfig;
import io.rollguard.server.RollguardServer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rollguard serve [--config rollguard.yaml] [--rules rules/]}: runs the server until it is
 * stopped (SIGTERM or Ctrl-C). With no config it runs on embedded defaults.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = "Run the server (embedded defaults: port 8080, rules/, data/).")
final class ServeCommand implements Callable<Integer> {

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "rollguard.yaml to read (default: none, embedded defaults)")
  Path config;

  @Option(
      names = "--rules",
      paramLabel = "PATH",
      description = "rule files or directories (overrides the config's 'rules')")
  List<Path> rules;

  @Override
  public Integer call() throws Exception {
    RollguardConfig settings;
    try {
      settings =
          config == null ? RollguardConfig.defaults() : ConfigLoader.load(config, System::getenv);
    } catch (ConfigLoader.InvalidConfigException e) {
      System.err.print(e.getMessage());
      System.err.println("rollguard: the configuration has errors; not starting");
      return 2;
    }
    if (rules != null && !rules.isEmpty()) {
      settings = settings.withRules(rules);
    }
    RollguardServer server;
    try {
      server =
          RollguardServer.start(settings, Clock.system())
              .toCompletionStage()
              .toCompletableFuture()
              .get(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      System.err.println("rollguard: cannot start: " + e.getCause().getMessage());
      return 1;
    }
    String scheme = settings.server().tls().enabled() ? "https" : "http";
    System.out.println(
        "rollguard listening on "
            + scheme
            + "://"
            + settings.server().host()
            + ":"
            + server.port());
    System.out.flush();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server
                      .close()
                      .toCompletionStage()
                      .toCompletableFuture()
                      .orTimeout(10, TimeUnit.SECONDS)
                      .exceptionally(e -> null)
                      .join();
                  stopped.countDown();
                },
                "rollguard-shutdown"));
    stopped.await();
    return 0;
  }
}
