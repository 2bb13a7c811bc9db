package io.github.switchboard.coordination.history;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.instance.impl.HazelcastInstanceProxy;
import com.hazelcast.instance.impl.LifecycleServiceImpl;
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

  /**
   * Hazelcast's merge can drop part of a merging member's entries (a failed merge batch is not
   * retried) and still fire MERGED. The barrier copies what the member owns at MERGING and
   * applies it again through the merge policy before the member marks itself: a dropped stream
   * comes back with its epoch and watermark, and a copy that went further meanwhile is kept.
   * The events are fired here by hand; the dropped batch is a delete between them.
   */
  @Test
  void whatAMergeDroppedIsAppliedAgainBeforeTheMemberMarksItselfSettled() {
    String cluster = "test-barrier-" + UUID.randomUUID();
    HazelcastInstance first = member(cluster);
    MergeBarrier.install(first);
    HazelcastInstance second = member(cluster);
    MergeBarrier.install(second);
    await("both marked", () -> first.getReplicatedMap(MergeBarrier.MAP).size() == 2
      && MergeBarrier.pending(first).isEmpty() && MergeBarrier.pending(second).isEmpty());
    await("the second member owns its share of partitions, no migration under way", () -> ownedBy(second) > 100
      && first.getPartitionService().isClusterSafe());

    IMap<String, StreamLog> streams = first.getMap("switchboard.test-streams");
    List<String> owned = streamsOwnedBy(second, 2);
    String dropped = owned.get(0);
    String overtaken = owned.get(1);
    String droppedEpoch = appendAndCommit(streams, dropped, 3);
    String overtakenEpoch = appendAndCommit(streams, overtaken, 3);

    LifecycleServiceImpl lifecycle = ((HazelcastInstanceProxy) second).getOriginal().getLifecycleService();
    lifecycle.fireLifecycleEvent(LifecycleEvent.LifecycleState.MERGING);
    streams.delete(dropped); // the batch Hazelcast's merge did not deliver
    appendAndCommit(streams, overtaken, 2); // the cluster's copy goes further than the kept one
    lifecycle.fireLifecycleEvent(LifecycleEvent.LifecycleState.MERGED);

    await("the dropped stream applied again", () -> streams.get(dropped) != null);
    assertThat(streams.get(dropped).epoch()).isEqualTo(droppedEpoch);
    assertThat(streams.get(dropped).committed()).isEqualTo(3);
    assertThat(streams.get(overtaken).epoch()).isEqualTo(overtakenEpoch);
    assertThat(streams.get(overtaken).committed()).isEqualTo(5);
    await("the merged member marked again", () -> MergeBarrier.pending(first).isEmpty());
    assertThat(streams.executeOnKey(dropped, append()).offset()).isEqualTo(4);
  }

  /** Appends {@code count} messages to {@code stream} and commits them; returns the epoch. */
  private static String appendAndCommit(IMap<String, StreamLog> streams, String stream, int count) {
    AppendToStream.Result last = null;
    for (int i = 0; i < count; i++) {
      last = streams.executeOnKey(stream, append());
    }
    streams.executeOnKey(stream, new CommitToStream(last.epoch(), last.offset(), System.currentTimeMillis()));
    return last.epoch();
  }

  private static AppendToStream append() {
    long now = System.currentTimeMillis();
    return new AppendToStream("\"m\"", now, new HistoryPolicy(100, 60_000), true, "e", now, "p-" + UUID.randomUUID());
  }

  private static long ownedBy(HazelcastInstance member) {
    return member.getPartitionService().getPartitions().stream()
      .filter(p -> p.getOwner() != null && p.getOwner().localMember()).count();
  }

  private static List<String> streamsOwnedBy(HazelcastInstance member, int count) {
    List<String> names = new ArrayList<>();
    for (int i = 0; names.size() < count; i++) {
      String name = "room-" + i;
      if (member.getPartitionService().getPartition(name).getOwner().localMember()) {
        names.add(name);
      }
    }
    return names;
  }

  /** A stream name whose partition {@code member} owns. */
  private static String streamOwnedBy(HazelcastInstance member) {
    return streamsOwnedBy(member, 1).get(0);
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
