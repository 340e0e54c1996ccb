package io.rollguard.notify;

import static io.rollguard.notify.ScriptedReceiver.answer;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A notification a receiver cannot carry (a report that reached a PagerDuty receiver, say through a
 * fallback) is given up on at once, and the receiver's queue goes on with the next one.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
class UnsendableNotificationTest {

  @Test
  void aReportAtAPagerDutyReceiverIsGivenUpAndTheQueueGoesOn(Vertx vertx, VertxTestContext test) {
    ScriptedReceiver pd = new ScriptedReceiver().then(answer(202, "{\"status\":\"success\"}"));
    ReportMessage report =
        new ReportMessage("daily", "2026-12-01T09:00Z[UTC]", "Daily", "# Daily\n", "<h1/>", "{}");
    pd.start(vertx)
        .map(url -> new DeliveryHarness(vertx, Alerts.receiver("pagerduty", url, null, null)))
        .compose(
            h ->
                h.send(Notification.report("1", "r", report, Alerts.T0))
                    .compose(v -> h.next("gave up"))
                    .compose(
                        gaveUp -> {
                          test.verify(
                              () ->
                                  assertThat(gaveUp)
                                      .startsWith("gave up: receiver 'r' cannot send it"));
                          return h.send(
                              Alerts.notification(
                                  "2", Notification.Event.FIRING, Alerts.firing("inc1")));
                        })
                    .compose(v -> h.next("delivered")))
        .onComplete(
            test.succeeding(
                delivered ->
                    test.verify(
                        () -> {
                          assertThat(delivered).isEqualTo("delivered after 1 attempt");
                          assertThat(pd.received).singleElement(); // the report never went out
                          assertThat(
                                  Routing.canTake(
                                      Alerts.receiver("pagerduty", "http://x", null, null),
                                      Notification.report("3", "r", report, Alerts.T0)))
                              .isFalse();
                          test.completeNow();
                        })));
  }
}
