package io.rollguard.notify;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReceiverQueueTest {

  @Test
  void aResolveNeverOvertakesItsTriggerButOtherIncidentsGoAhead() {
    ReceiverQueue q = new ReceiverQueue();
    q.add(Alerts.notification("1", Notification.Event.FIRING, Alerts.firing("a")), 0);
    q.add(Alerts.notification("2", Notification.Event.RESOLVED, Alerts.resolved("a")), 0);
    q.add(Alerts.notification("3", Notification.Event.FIRING, Alerts.firing("b")), 0);
    ReceiverQueue.Entry first = q.next(0);
    assertThat(first.notification.id()).isEqualTo("1");
    first.dueAtMillis = 1_000; // t=0: a's trigger failed, backing off for 1 s
    // a's resolve waits behind it; b goes ahead
    assertThat(q.next(0).notification.id()).isEqualTo("3");
    q.remove(q.next(0));
    assertThat(q.next(500)).isNull();
    assertThat(q.nextDueMillis()).isEqualTo(1_000);
    // t=1s: the trigger goes, and only once it is gone the resolve
    assertThat(q.next(1_000).notification.id()).isEqualTo("1");
    q.remove(first);
    assertThat(q.next(1_000).notification.id()).isEqualTo("2");
  }

  @Test
  void aTokenBucketAllowsABurstThenTheRate() {
    TokenBucket b = new TokenBucket(1.0, 3);
    for (int i = 0; i < 3; i++) {
      assertThat(b.waitMillis(0)).isZero();
      b.take(0);
    }
    assertThat(b.waitMillis(0)).isEqualTo(1_000);
    assertThat(b.waitMillis(400)).isEqualTo(600);
    assertThat(b.waitMillis(1_000)).isZero();
    TokenBucket unlimited = new TokenBucket(0, 0);
    for (int i = 0; i < 100; i++) {
      unlimited.take(0);
    }
    assertThat(unlimited.waitMillis(0)).isZero();
  }
}
