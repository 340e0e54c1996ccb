package io.rollguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The status page in a real browser: Debian's headless Chromium, driven by Selenium through
 * Debian's chromedriver (installed by the test when missing), against the real jar. A breach pushed
 * through the server shows on the page as the rule pending, then firing; the rollout's verdict with
 * its reasons; the SLO's budget. The browser logs no error on any page. Screenshots of every page
 * go to {@code target/screenshots/} for a reviewer.
 */
class StatusPageChromiumIT {

  private static final Path SCREENSHOTS = Path.of("target", "screenshots");

  /** A label value that would run if the page put it into HTML unescaped. */
  private static final String HOSTILE = "<img src=x onerror=\"document.title='xss'\">";

  @TempDir Path dir;

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  void thePageShowsTheBreachTheVerdictAndTheBudget() throws Exception {
    Path chromium = DebianPackages.require("chromium", "chromium");
    Path chromedriver = DebianPackages.require("chromedriver", "chromium-driver");
    Files.writeString(
        dir.resolve("rules.yaml"),
        """
        rules:
          - name: canary-errors
            description: The canary fails more than 20% of its requests
            select: {service: checkout, stage: canary}
            window: 10s
            when: error_rate > 20%
            for: 6s
            severity: critical
          - name: stable-latency
            select: {service: checkout, stage: stable}
            window: 10s
            when: p95 > 500ms
          - name: pod-latency
            select: {service: checkout}
            by: [pod]
            window: 10s
            when: p95 > 500ms
        rollouts:
          - name: checkout
            select: {service: checkout}
            stage_label: stage
            baseline: {stage: stable}
            window: 10s
            min_samples: 10
            stages:
              - {name: canary, traffic: 10%, min_duration: 1m}
              - {name: full, traffic: 100%}
            promote_when: [error_rate < 1%]
            rollback_when: [{when: error_rate > 20%, for: 2s}]
        slos:
          - name: checkout-availability
            select: {service: checkout}
            objective: 99%
            period: 7d
            good: ok
        """);
    Files.writeString(
        dir.resolve("rollguard.yaml"),
        "server: {host: 127.0.0.1, port: 0}\ndata_dir: state\nrules: [rules.yaml]\n");
    AtomicBoolean failing = new AtomicBoolean(false);
    AtomicBoolean pushing = new AtomicBoolean(true);
    Files.createDirectories(SCREENSHOTS);
    try (RollguardProcess rollguard =
        RollguardProcess.start(dir, "serve", "--config", "rollguard.yaml")) {
      String base = "http://127.0.0.1:" + rollguard.port(60);
      Thread pusher = new Thread(() -> push(base, failing, pushing), "pusher");
      pusher.setDaemon(true);
      pusher.start();
      WebDriver browser = browser(chromium, chromedriver);
      try {
        // healthy traffic first, so the page shows the rule inactive with a value
        browser.get(base + "/#/");
        waitFor(browser, "overview");
        WebElement row = waitForRule(browser, "canary-errors", "inactive");
        assertThat(row.getText()).contains("canary-errors").contains("OK");
        shot(browser, "overview-ok");

        failing.set(true);
        row = waitForRule(browser, "canary-errors", "pending");
        assertThat(row.getText()).contains("PENDING");
        shot(browser, "overview-pending");
        row = waitForRule(browser, "canary-errors", "firing");
        assertThat(row.getText()).contains("FIRING");
        shot(browser, "overview-firing");

        // label values come from whoever pushes: shown as text, never run as markup
        assertThat(browser.findElements(By.cssSelector("main img"))).isEmpty();
        assertThat(browser.getTitle()).doesNotContain("xss");
        assertThat(browser.findElement(By.tagName("main")).getText()).contains(HOSTILE);

        browser.get(base + "/#/rules/canary-errors");
        waitFor(browser, "rule");
        assertThat(browser.findElement(By.tagName("main")).getText())
            .contains("error_rate > 20%")
            .containsIgnoringCase("firing");
        shot(browser, "rule");

        browser.get(base + "/#/rollouts/checkout");
        waitFor(browser, "rollout");
        WebElement verdict =
            new WebDriverWait(browser, Duration.ofSeconds(30))
                .until(
                    b -> {
                      WebElement v = b.findElement(By.cssSelector("[data-testid=rollout-verdict]"));
                      return "rollback".equals(v.getAttribute("data-verdict")) ? v : null;
                    });
        assertThat(verdict.getText()).containsIgnoringCase("rollback");
        assertThat(browser.findElement(By.cssSelector("[data-testid=rollout-reasons]")).getText())
            .contains("error_rate > 20%");
        shot(browser, "rollout");

        browser.get(base + "/#/slos/checkout-availability");
        waitFor(browser, "slo");
        WebElement budget =
            new WebDriverWait(browser, Duration.ofSeconds(30))
                .until(
                    b -> {
                      WebElement e =
                          b.findElement(
                              By.cssSelector(
                                  "[data-testid=slo-budget][data-slo=checkout-availability]"));
                      String left = e.getAttribute("data-budget");
                      return left != null && !left.isEmpty() && Double.parseDouble(left) < 1
                          ? e
                          : null;
                    });
        assertThat(budget.getText()).contains("%");
        shot(browser, "slo");

        browser.get(base + "/#/incidents");
        waitFor(browser, "incidents");
        new WebDriverWait(browser, Duration.ofSeconds(30))
            .until(b -> !b.findElements(By.cssSelector("[data-testid=incident-row]")).isEmpty());
        shot(browser, "incidents");

        browser.get(base + "/#/explore?service=checkout&window=10s&range=5m&by=stage");
        waitFor(browser, "explore");
        assertThat(browser.findElements(By.cssSelector("[data-testid=explore-chart] canvas")))
            .isNotEmpty();
        shot(browser, "explore");

        List<String> severe = new ArrayList<>();
        for (LogEntry e : browser.manage().logs().get(LogType.BROWSER)) {
          if (e.getLevel().intValue() >= Level.SEVERE.intValue()) {
            severe.add(e.getMessage());
          }
        }
        assertThat(severe).as("errors the browser logged").isEmpty();
      } finally {
        browser.quit();
        pushing.set(false);
      }
    }
  }

  private static WebDriver browser(Path chromium, Path chromedriver) {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1280,1000");
    options.setCapability("goog:loggingPrefs", Map.of("browser", "ALL"));
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(chromedriver.toString()))
            .usingAnyFreePort()
            .build();
    return new ChromeDriver(service, options);
  }

  /** Waits until the page says it rendered {@code route}'s first data. */
  private static void waitFor(WebDriver browser, String route) {
    new WebDriverWait(browser, Duration.ofSeconds(30))
        .until(b -> route.equals(b.findElement(By.tagName("body")).getDomAttribute("data-loaded")));
  }

  private static WebElement waitForRule(WebDriver browser, String rule, String state) {
    return new WebDriverWait(browser, Duration.ofSeconds(60), Duration.ofMillis(100))
        .until(
            b -> {
              for (WebElement row :
                  b.findElements(
                      By.cssSelector("[data-testid=rule-row][data-rule=" + rule + "]"))) {
                if (state.equals(row.getAttribute("data-state"))) {
                  return row;
                }
              }
              return null;
            });
  }

  private static void shot(WebDriver browser, String name) throws Exception {
    byte[] png = ((ChromeDriver) browser).getScreenshotAs(OutputType.BYTES);
    Files.write(SCREENSHOTS.resolve(name + ".png"), png);
  }

  /**
   * Every 200 ms: 10 canary requests (all failed while {@code failing}, else all fine) and 40
   * stable ones, plus a passing health check, until {@code pushing} is cleared.
   */
  private void push(String base, AtomicBoolean failing, AtomicBoolean pushing) {
    while (pushing.get()) {
      boolean fail = failing.get();
      StringBuilder canary = new StringBuilder();
      for (int i = 0; i < 10; i++) {
        canary
            .append(i > 0 ? "," : "")
            .append("{\"latency_ms\":")
            .append(fail ? 180 : 40 + i)
            .append(",\"ok\":")
            .append(!fail)
            .append('}');
      }
      StringBuilder stable = new StringBuilder();
      for (int i = 0; i < 40; i++) {
        stable.append(i > 0 ? "," : "").append("{\"latency_ms\":").append(35 + i).append('}');
      }
      String body =
          "[{\"service\":\"checkout\",\"labels\":{\"stage\":\"canary\"},\"requests\":["
              + canary
              + "]},{\"service\":\"checkout\",\"labels\":{\"stage\":\"stable\"},\"requests\":["
              + stable
              + "]},{\"service\":\"checkout\",\"labels\":{\"pod\":"
              + io.vertx.core.json.Json.encode(HOSTILE)
              + "},\"requests\":[{\"latency_ms\":20}]}]";
      try {
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/api/v1/ingest"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.discarding());
      } catch (Exception e) {
        // the server is stopping: the test is over
        return;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
    }
  }
}
