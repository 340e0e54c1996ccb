package io.rollguard.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The rollout API of a running server, for the deployer's commands: read a verdict, set the live
 * stage. Blocking (the command line has no event loop). The admin token is sent, never printed.
 * Thread-safe as the JDK's client is.
 */
final class RolloutClient {

  /** The server could not be reached, or did not answer in time. */
  static final class Unreachable extends Exception {
    private static final long serialVersionUID = 1L;

    Unreachable(String message) {
      super(message);
    }
  }

  /** The server answered, and said no: an unknown rollout or stage, a missing token. */
  static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;

    Refused(String message) {
      super(message);
    }
  }

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final URI server;
  private final String adminToken;
  private final Duration timeout;
  private final HttpClient http;

  RolloutClient(URI server, String adminToken, Duration timeout) {
    this.server = server;
    this.adminToken = adminToken;
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  /** {@code GET /api/v1/rollouts/{name}}: the verdict now. */
  JsonNode verdict(String rollout) throws Unreachable, Refused, InterruptedException {
    return send(request(rollout, "").GET().build());
  }

  /** {@code PUT /api/v1/rollouts/{name}/stage}: the verdict right after the stage is set. */
  JsonNode setStage(String rollout, String stage)
      throws Unreachable, Refused, InterruptedException {
    String body = MAPPER.createObjectNode().put("stage", stage).toString();
    HttpRequest.Builder b =
        request(rollout, "/stage")
            .header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString(body));
    if (adminToken != null && !adminToken.isEmpty()) {
      b.header("Authorization", "Bearer " + adminToken);
    }
    return send(b.build());
  }

  private HttpRequest.Builder request(String rollout, String suffix) {
    String base = server.toString().replaceAll("/+$", "");
    return HttpRequest.newBuilder(
            URI.create(
                base
                    + "/api/v1/rollouts/"
                    + URLEncoder.encode(rollout, StandardCharsets.UTF_8).replace("+", "%20")
                    + suffix))
        .timeout(timeout)
        .header("Accept", "application/json");
  }

  private JsonNode send(HttpRequest request) throws Unreachable, Refused, InterruptedException {
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new Unreachable(
          server + " is unreachable: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
    }
    JsonNode body;
    try {
      body = MAPPER.readTree(response.body());
    } catch (IOException e) {
      body = null;
    }
    int status = response.statusCode();
    if (status >= 200 && status < 300 && body != null && body.isObject()) {
      return body;
    }
    String message =
        body != null && body.path("error").isTextual()
            ? body.path("error").asText()
            : "HTTP " + status;
    if (status >= 500 || status == 429 || status == 503 || body == null) {
      // a server that is starting, overloaded or not Rollguard at all: try again later
      throw new Unreachable(server + " answered " + status + ": " + message);
    }
    throw new Refused(message + " (HTTP " + status + ")");
  }
}
