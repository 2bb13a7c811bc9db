package io.github.switchboard.coordination.history;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.github.switchboard.coordination.EmbeddedHazelcast;
import io.github.switchboard.coordination.QuorumGuard;
import io.github.switchboard.coordination.StoreUnavailableException;
import io.github.switchboard.launcher.MergeBarrier;
import io.github.switchboard.launcher.MergePendingException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The merge barrier on two real members: a data member in view that has not marked itself
 * settled (what a member that rejoined after a split is until its data is handed over) holds
 * every write, and the mark releases them. The split and merge themselves are exercised by
 * cluster-tests' PartitionTest.
 */
class MergeBarrierTest {

  private static final long DEADLINE_MS = 30_000;
  private final List<HazelcastInstance> members = new ArrayList<>();

  @AfterEach
  void stop() {
    members.forEach(HazelcastInstance::shutdown);
  }

  @Test
  void aDataMemberNotYetMarkedHoldsEveryWriteUntilItMarksItself() {
    String cluster = "test-barrier-" + UUID.randomUUID();
    HazelcastInstance first = member(cluster);
    MergeBarrier.install(first);
    // Alone, it waits for nobody (the quorum is another check).
    MergeBarrier.check(first, "nothing");
    assertThat(MergeBarrier.pending(first)).isEmpty();

    HazelcastInstance second = member(cluster); // joined, not marked: like a member merging in
    await("both members see each other", () -> first.getCluster().getMembers().size() == 2
      && second.getCluster().getMembers().size() == 2);
    await("the second member owns its share of partitions, no migration under way", () -> ownedBy(second) > 100
      && first.getPartitionService().isClusterSafe());

    assertThatThrownBy(() -> QuorumGuard.check(first, "append to stream s"))
      .isInstanceOf(MergePendingException.class)
      .hasMessageContaining("append to stream s refused")
      .hasMessageContaining(second.getCluster().getLocalMember().getUuid().toString());
    assertThat(MergeBarrier.pending(first)).containsExactly(second.getCluster().getLocalMember().getAddress().toString());

    // An append on a stream the first member owns is refused there, and nothing is stored.
    IMap<String, StreamLog> streams = first.getMap("switchboard.test-streams");
    String stream = streamOwnedBy(first);
    assertThatThrownBy(() -> streams.executeOnKey(stream, append()))
      .isInstanceOf(MergePendingException.class);
    assertThat(StoreUnavailableException.translate(new java.util.concurrent.CompletionException(
      new MergePendingException("x")))).isInstanceOf(StoreUnavailableException.class)
      .hasMessageContaining("has not marked its data handed over");
    assertThat(streams.get(stream)).isNull();

    MergeBarrier.install(second);
    await("the second member's mark reaches the first", () -> MergeBarrier.pending(first).isEmpty());
    AppendToStream.Result stored = streams.executeOnKey(stream, append());
    assertThat(stored.offset()).isEqualTo(1);
  }

  @Test
  void aMemberThatLeftNoLongerHoldsWritesAndItsMarkIsPruned() {
    String cluster = "test-barrier-" + UUID.randomUUID();
    HazelcastInstance first = member(cluster);
    MergeBarrier.install(first);
    HazelcastInstance second = member(cluster);
    MergeBarrier.install(second);
    await("both marked", () -> first.getReplicatedMap(MergeBarrier.MAP).size() == 2);
    String secondId = second.getCluster().getLocalMember().getUuid().toString();

    members.remove(second);
    second.getLifecycleService().terminate();
    await("the first member alone", () -> first.getCluster().getMembers().size() == 1);
    MergeBarrier.check(first, "nothing");
    await("the departed member's mark pruned", () -> !first.getReplicatedMap(MergeBarrier.MAP).containsKey(secondId));
  }

  private static AppendToStream append() {
    long now = System.currentTimeMillis();
    return new AppendToStream("\"m\"", now, new HistoryPolicy(100, 60_000), true, "e", now, "p-1");
  }

  private static long ownedBy(HazelcastInstance member) {
    return member.getPartitionService().getPartitions().stream()
      .filter(p -> p.getOwner() != null && p.getOwner().localMember()).count();
  }

  /** A stream name whose partition {@code member} owns. */
  private static String streamOwnedBy(HazelcastInstance member) {
    for (int i = 0; ; i++) {
      String name = "room-" + i;
      if (member.getPartitionService().getPartition(name).getOwner().localMember()) {
        return name;
      }
    }
  }

  private HazelcastInstance member(String cluster) {
    HazelcastInstance member = EmbeddedHazelcast.member(cluster, 2);
    members.add(member);
    return member;
  }

  private static void await(String what, BooleanSupplier condition) {
    long deadline = System.currentTimeMillis() + DEADLINE_MS;
    while (!condition.getAsBoolean()) {
      assertThat(System.currentTimeMillis()).as(what).isLessThan(deadline);
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
