package io.rollguard.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;
import org.junit.jupiter.api.Test;

class BuildInfoTest {

  @Test
  void theBuildFillsInTheVersionAndTheCommit() {
    BuildInfo b = BuildInfo.current();
    assertThat(b.version()).matches("\\d+\\.\\d+\\.\\d+(-[0-9A-Za-z.-]+)?");
    // built from a git checkout (as here and in CI): an abbreviated commit id
    assertThat(b.commit()).matches("[0-9a-f]{7,40}");
    assertThat(b.describe()).startsWith("rollguard " + b.version() + " (commit " + b.commit());
  }

  @Test
  void whatTheBuildCouldNotFillInIsUnknown() {
    Properties p = new Properties();
    p.setProperty("version", "1.2.3");
    p.setProperty("commit", "${git.commit.id.abbrev}");
    p.setProperty("commit_time", "${git.commit.time}");
    p.setProperty("dirty", "${git.dirty}");
    BuildInfo b = BuildInfo.of(p);
    assertThat(b.commit()).isEqualTo("unknown");
    assertThat(b.modified()).isFalse();
    assertThat(b.describe()).isEqualTo("rollguard 1.2.3 (commit unknown)");
  }
}
