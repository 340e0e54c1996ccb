package io.rollguard.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

class MembershipTest {

  private final Membership members = new Membership(35_000);

  private static Membership.Member member(String node, long generation, long at, Integer... parts) {
    return new Membership.Member(node, node + ":8080", generation, Set.of(parts), at);
  }

  @Test
  void aPartitionBelongsToTheClaimOfTheNewestGeneration() {
    // a was killed while it owned 0 and 1; the group gave them to b in generation 8
    members.put(member("a", 7, 1_000, 0, 1));
    members.put(member("b", 8, 2_000, 0, 1, 2, 3));

    assertThat(members.owners(3_000))
        .hasSize(4)
        .allSatisfy((p, m) -> assertThat(m.node()).isEqualTo("b"));
    assertThat(members.owning(3_000)).extracting(Membership.Member::node).containsExactly("b");
    assertThat(members.unowned(4, 3_000)).isEmpty();
  }

  @Test
  void anOlderClaimStandsUntilANewerOneComes() {
    members.put(member("a", 7, 1_000, 0, 1));
    members.put(member("b", 7, 1_000, 2, 3));

    assertThat(members.owners(2_000).get(0).node()).isEqualTo("a");
    assertThat(members.owners(2_000).get(3).node()).isEqualTo("b");
    assertThat(members.owning(2_000)).extracting(Membership.Member::node).containsExactly("a", "b");

    // a revoked 1 in generation 8 (the first half of a cooperative move): 1 has no owner yet
    members.put(member("a", 8, 1_500, 0));
    members.put(member("b", 8, 1_500, 2, 3));
    assertThat(members.unowned(4, 2_000)).containsExactly(1);
  }

  @Test
  void aMemberNotHeardOfForTheExpiryIsGoneAndOneThatLeftAtOnce() {
    members.put(member("a", 7, 1_000, 0, 1));
    members.put(member("b", 7, 30_000, 2, 3));

    assertThat(members.unowned(4, 36_001)).containsExactly(0, 1);
    assertThat(members.owning(36_001)).extracting(Membership.Member::node).containsExactly("b");

    members.remove("b");
    assertThat(members.unowned(4, 36_001)).containsExactly(0, 1, 2, 3);
    assertThat(members.all()).extracting(Membership.Member::node).containsExactly("a");
    members.forgetBefore(1_000);
    assertThat(members.all()).hasSize(1);
    members.forgetBefore(1_001);
    assertThat(members.all()).isEmpty();
  }

  @Test
  void aRestartedNodeReplacesItsOwnRecord() {
    members.put(member("a", 7, 1_000, 0, 1, 2, 3));
    members.put(member("a", 9, 5_000, 0, 1));

    assertThat(members.unowned(4, 6_000)).containsExactly(2, 3);
  }
}
