package io.rollguard.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rollguard.alerting.AlertEvent;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What each receiver's payload holds, and that it stays within the service's limits. */
class FormatTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode render(String type, String format, Notification n) throws Exception {
    Format f = Format.of(Alerts.receiver(type, "http://x", null, format), Alerts.LINKS);
    return JSON.readTree(f.render(n).bytes());
  }

  private static Notification firing() {
    return Alerts.notification("1", Notification.Event.FIRING, Alerts.firing("inc1"));
  }

  private static Notification resolved() {
    return Alerts.notification("2", Notification.Event.RESOLVED, Alerts.resolved("inc1"));
  }

  @Test
  void ourWebhookPayloadCarriesTheSpecFieldsAndTheExplanation() throws Exception {
    JsonNode o = render("webhook", "webhook", firing());
    assertThat(o.path("version").asText()).isEqualTo("1");
    assertThat(o.path("event").asText()).isEqualTo("firing");
    assertThat(o.path("id").asText()).isEqualTo("inc1:firing");
    assertThat(o.path("incident_id").asText()).isEqualTo("inc1");
    assertThat(o.path("severity").asText()).isEqualTo("critical");
    assertThat(o.path("labels").path("stage").asText()).isEqualTo("canary");
    assertThat(o.path("value").asDouble()).isEqualTo(812.3);
    assertThat(o.path("threshold").asText()).isEqualTo("> 500ms");
    assertThat(o.path("expr").asText()).isEqualTo("p95 > 500ms");
    assertThat(o.path("window").asText()).isEqualTo("1m");
    assertThat(o.path("reason").asText()).startsWith("p95 > 500ms held for 5m");
    JsonNode sli = o.path("slis").get(0);
    assertThat(sli.path("expr").asText()).isEqualTo("p95");
    assertThat(sli.path("samples").asLong()).isEqualTo(1234);
    assertThat(sli.path("relative_error").asDouble()).isEqualTo(1.0 / 256);
    assertThat(sli.path("text").asText()).isEqualTo("p95 = 812.3ms (1234 samples, ±0.39%)");
    assertThat(o.path("started_at").asText()).isEqualTo("2025-11-23T12:08:20Z");
    assertThat(o.path("fired_at").asText()).isEqualTo("2025-11-23T12:13:20Z");
    assertThat(o.path("resolved_at").isNull()).isTrue();
    assertThat(o.path("links").path("report").asText())
        .isEqualTo("http://rollguard.test:8080/api/v1/incidents/inc1/report");
    assertThat(render("webhook", "webhook", resolved()).path("resolved_at").asText())
        .isEqualTo("2025-11-23T12:23:20Z");
  }

  @Test
  void signedWebhooksVerifyWithTheStandardWebhooksRules() {
    String secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    Format f = Format.of(Alerts.receiver("webhook", "http://x", secret, "webhook"), Alerts.LINKS);
    Notification n = firing();
    byte[] body = f.render(n).bytes();
    Map<String, String> h = f.headers(n, body, Alerts.T0 + 1_500);
    assertThat(h).containsEntry("webhook-id", "inc1:firing");
    assertThat(h).containsEntry("webhook-timestamp", Long.toString((Alerts.T0 + 1_500) / 1000));
    WebhookSigner verifier = WebhookSigner.fromSecret(secret);
    assertThat(
            verifier.verify(
                h.get("webhook-id"),
                Long.parseLong(h.get("webhook-timestamp")),
                body,
                h.get("webhook-signature")))
        .isTrue();
    // no secret: the id and timestamp still go, no signature
    Format unsigned =
        Format.of(Alerts.receiver("webhook", "http://x", null, "webhook"), Alerts.LINKS);
    assertThat(unsigned.headers(n, body, Alerts.T0)).doesNotContainKey("webhook-signature");
  }

  @Test
  void alertmanagerFormatIsVersion4WithOneAlert() throws Exception {
    JsonNode o = render("webhook", "alertmanager", firing());
    assertThat(o.path("version").asText()).isEqualTo("4");
    assertThat(o.path("status").asText()).isEqualTo("firing");
    assertThat(o.path("receiver").asText()).isEqualTo("r");
    assertThat(o.path("groupKey").asText()).isEqualTo("{}:{alertname=\"canary-p95\"}");
    assertThat(o.path("externalURL").asText()).isEqualTo("http://rollguard.test:8080");
    JsonNode alert = o.path("alerts").get(0);
    assertThat(alert.path("labels").path("alertname").asText()).isEqualTo("canary-p95");
    assertThat(alert.path("labels").path("severity").asText()).isEqualTo("critical");
    assertThat(alert.path("annotations").path("slis").asText()).contains("1234 samples");
    assertThat(alert.path("startsAt").asText()).isEqualTo("2025-11-23T12:13:20Z");
    assertThat(alert.path("endsAt").asText()).isEqualTo("0001-01-01T00:00:00Z");
    assertThat(alert.path("fingerprint").asText()).isEqualTo("inc1");
    JsonNode done = render("webhook", "alertmanager", resolved());
    assertThat(done.path("status").asText()).isEqualTo("resolved");
    assertThat(done.path("alerts").get(0).path("endsAt").asText())
        .isEqualTo("2025-11-23T12:23:20Z");
  }

  @Test
  void pagerDutyTriggersAndResolvesOnTheIncidentsDedupKey() throws Exception {
    JsonNode trigger = render("pagerduty", null, firing());
    assertThat(trigger.path("routing_key").asText()).hasSize(32);
    assertThat(trigger.path("event_action").asText()).isEqualTo("trigger");
    assertThat(trigger.path("dedup_key").asText()).isEqualTo("inc1");
    JsonNode payload = trigger.path("payload");
    assertThat(payload.path("summary").asText()).isEqualTo("checkout canary p95 812.3ms");
    assertThat(payload.path("source").asText()).isEqualTo("checkout");
    assertThat(payload.path("severity").asText()).isEqualTo("critical");
    assertThat(payload.path("timestamp").asText()).isEqualTo("2025-11-23T12:13:20Z");
    JsonNode details = payload.path("custom_details");
    assertThat(details.path("value").asDouble()).isEqualTo(812.3);
    assertThat(details.path("threshold").asText()).isEqualTo("> 500ms");
    assertThat(details.path("window").asText()).isEqualTo("1m");
    assertThat(details.path("labels").path("service").asText()).isEqualTo("checkout");
    assertThat(trigger.path("links").get(1).path("href").asText())
        .isEqualTo("https://wiki/runbook");

    JsonNode resolve = render("pagerduty", null, resolved());
    assertThat(resolve.path("event_action").asText()).isEqualTo("resolve");
    assertThat(resolve.path("dedup_key").asText()).isEqualTo("inc1");
    assertThat(resolve.has("payload")).isFalse();
  }

  @Test
  void pagerDutySummariesAreCutTo1024Characters() throws Exception {
    AlertEvent longOne =
        Alerts.event(AlertEvent.Kind.FIRING, "inc2", Map.of("summary", "x".repeat(5_000)));
    JsonNode trigger =
        render("pagerduty", null, Alerts.notification("3", Notification.Event.FIRING, longOne));
    assertThat(trigger.path("payload").path("summary").asText()).hasSize(1_024).endsWith("…");
  }

  @Test
  void slackMessagesHaveTextAndBlocksAndStayInsideBlockKitLimits() throws Exception {
    JsonNode o = render("slack", null, firing());
    assertThat(o.path("text").asText())
        .isEqualTo(":red_circle: FIRING: canary-p95 — checkout canary p95 812.3ms");
    JsonNode blocks = o.path("blocks");
    assertThat(blocks.get(0).path("type").asText()).isEqualTo("header");
    assertThat(blocks.get(2).path("fields").get(0).path("text").asText())
        .isEqualTo("*Value*\n812.3ms (> 500ms)");
    assertThat(blocks.get(3).path("elements").get(0).path("text").asText()).contains("|Runbook>");

    AlertEvent huge =
        Alerts.event(
            AlertEvent.Kind.FIRING,
            "inc3",
            Map.of("summary", "s".repeat(20_000), "runbook", "r".repeat(9_000)));
    byte[] bytes =
        Format.of(Alerts.receiver("slack", "http://x", null, null), Alerts.LINKS)
            .render(Alerts.notification("4", Notification.Event.FIRING, huge))
            .bytes();
    String text = new String(bytes, StandardCharsets.UTF_8);
    assertThat(text.length()).isLessThan(SlackFormat.MAX_MESSAGE_CHARS);
    JsonNode cut = JSON.readTree(bytes);
    assertThat(cut.path("blocks").get(0).path("text").path("text").asText().length())
        .isLessThanOrEqualTo(SlackFormat.MAX_HEADER_CHARS);
    for (JsonNode block : cut.path("blocks")) {
      assertThat(block.path("text").path("text").asText().length())
          .isLessThanOrEqualTo(SlackFormat.MAX_SECTION_CHARS);
      assertThat(block.path("fields").size()).isLessThanOrEqualTo(SlackFormat.MAX_FIELDS);
    }
    assertThat(JSON.readTree(render("slack", null, resolved()).toString()).path("text").asText())
        .startsWith(":large_green_circle: RESOLVED: canary-p95");
  }
}
