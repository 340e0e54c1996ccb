package io.rollguard.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The real jar ({@code target/rollguard.jar}) run as a child process, for end-to-end tests. */
final class RollguardProcess implements AutoCloseable {

  private static final Pattern LISTENING =
      Pattern.compile("rollguard listening on https?://[^:]+:(\\d+)");

  private final Process process;
  private final CompletableFuture<Integer> port = new CompletableFuture<>();
  private final StringBuilder stderr = new StringBuilder();
  private final StringBuilder stdout = new StringBuilder();

  private RollguardProcess(Process process) {
    this.process = process;
    Thread out = new Thread(() -> readStdout(process), "rollguard-stdout");
    out.setDaemon(true);
    out.start();
    Thread err = new Thread(this::readStderr, "rollguard-stderr");
    err.setDaemon(true);
    err.start();
  }

  static RollguardProcess start(Path workDir, String... args) throws IOException {
    return start(workDir, Map.of(), args);
  }

  /** As {@link #start(Path, String...)}, with {@code env} added to the child's environment. */
  static RollguardProcess start(Path workDir, Map<String, String> env, String... args)
      throws IOException {
    String jar = System.getProperty("rollguard.jar", "target/rollguard.jar");
    List<String> command =
        new ArrayList<>(List.of(javaBinary(), "-jar", Path.of(jar).toAbsolutePath().toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile());
    pb.environment().putAll(env);
    return new RollguardProcess(pb.start());
  }

  /** The port the server printed, waiting up to {@code seconds} for it. */
  int port(int seconds) throws Exception {
    return port.get(seconds, TimeUnit.SECONDS);
  }

  int waitForExit(int seconds) throws Exception {
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("rollguard did not exit within " + seconds + " s");
    }
    // The reader finishes (and completes the port future, one way or the other) at end of stream.
    port.handle((p, e) -> null).get(seconds, TimeUnit.SECONDS);
    return process.exitValue();
  }

  synchronized String stderr() {
    return stderr.toString();
  }

  /** What the process printed on standard output; complete once it has exited. */
  synchronized String stdout() {
    return stdout.toString();
  }

  /** Kills the process at once ({@code kill -9}): no shutdown hooks, no flushing. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(20, TimeUnit.SECONDS);
  }

  /** Stops the server the way an orchestrator does (SIGTERM) and waits for it. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private void readStdout(Process p) {
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        synchronized (this) {
          stdout.append(line).append('\n');
        }
        Matcher m = LISTENING.matcher(line);
        if (m.find()) {
          port.complete(Integer.parseInt(m.group(1)));
        }
      }
    } catch (IOException e) {
      port.completeExceptionally(e);
    }
    port.completeExceptionally(
        new IllegalStateException("rollguard exited before listening: " + stderr()));
  }

  private void readStderr() {
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        synchronized (this) {
          stderr.append(line).append('\n');
        }
      }
    } catch (IOException e) {
      // the process is gone; what was read stays
    }
  }

  private static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
