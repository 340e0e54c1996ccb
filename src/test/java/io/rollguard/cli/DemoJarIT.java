package io.rollguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rollguard demo} from the real jar, on a short timeline: it tells the whole story. */
class DemoJarIT {

  @TempDir Path dir;

  @Test
  void theDemoSeesTheAlertFireTheRollbackVerifiedAndTheResolve() throws Exception {
    try (RollguardProcess demo =
        RollguardProcess.start(dir, "demo", "--degrade-after", "3s", "--timeout", "60s")) {
      assertThat(demo.waitForExit(90)).as(demo.stdout() + demo.stderr()).isZero();
      assertThat(demo.stdout())
          .contains("alert shop-canary-latency: pending -> firing")
          .contains(
              "webhook rollback at /rollback: shop (rollout shop, stage canary), signature"
                  + " verified")
          .contains("webhook resolved at /alerts: shop-canary-latency, signature verified")
          .contains("verdict rollback")
          .contains("done: the alert fired");
      assertThat(demo.stdout().split("webhook rollback", -1)).hasSize(2); // once
    }
  }
}
