package io.github.switchboard.launcher;

import com.hazelcast.config.Config;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MergePolicyConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.spi.merge.MergingValue;
import com.hazelcast.spi.merge.SplitBrainMergePolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The copies a merging member keeps (the merge itself: coordination's MergeBarrierTest and
 * cluster-tests' PartitionTest): applied again through the map's {@link MergeOrder}, kept while
 * a write is refused, and given up with an error past the limit so that the cluster's writes
 * are not held for ever.
 */
class MergeHandoverTest {

  private final List<HazelcastInstance> members = new ArrayList<>();

  @AfterEach
  void stop() {
    members.forEach(member -> member.getLifecycleService().terminate());
  }

  /** Orders {@code Long}s by value, nothing else: the policy's part the handover uses. */
  public static final class Greater<V, T extends MergingValue<V>> implements SplitBrainMergePolicy<V, T, Object>, MergeOrder {

    @Override
    public Object merge(T merging, T existing) {
      return existing == null || further(merging.getValue(), existing.getValue()) ? merging.getRawValue() : existing.getRawValue();
    }

    @Override
    public boolean orders(Object value) {
      return value instanceof Long;
    }

    @Override
    public boolean further(Object candidate, Object kept) {
      return (Long) candidate > (Long) kept;
    }

    @Override
    public void writeData(ObjectDataOutput out) {
    }

    @Override
    public void readData(ObjectDataInput in) {
    }
  }

  @Test
  void aCopyIsAppliedAgainWhereItGotFurtherAndOnlyOrderedValuesAreKept() {
    HazelcastInstance member = member("test-handover-" + UUID.randomUUID(), 1);
    IMap<String, Object> tokens = member.getMap("switchboard.tokens");
    tokens.put("dropped", 7L);
    tokens.put("overtaken", 3L);
    tokens.put("presence", "not ordered");
    AtomicLong clock = new AtomicLong(1_000);
    MergeHandover handover = new MergeHandover(member, 60_000, clock::get);

    assertThat(handover.take()).isEqualTo(2);
    tokens.delete("dropped");
    tokens.put("overtaken", 9L);
    tokens.delete("presence");
    assertThat(handover.replay()).isTrue();

    assertThat(handover.pending()).isFalse();
    assertThat(tokens.get("dropped")).isEqualTo(7L);
    assertThat(tokens.get("overtaken")).isEqualTo(9L);
    assertThat(tokens.get("presence")).isNull();
  }

  @Test
  void aCopyThatCannotBeWrittenIsKeptThenGivenUpPastTheLimit() {
    String cluster = "test-handover-" + UUID.randomUUID();
    HazelcastInstance first = member(cluster, 2);
    HazelcastInstance second = member(cluster, 2);
    awaitMembers(second, 2);
    IMap<String, Object> tokens = second.getMap("switchboard.tokens");
    String key = keyOwnedBy(second);
    tokens.put(key, 5L);
    AtomicLong clock = new AtomicLong(1_000);
    MergeHandover handover = new MergeHandover(second, 5_000, clock::get);
    assertThat(handover.take()).isEqualTo(1);

    // Alone, the second member has no quorum of two: the write is refused, the copy kept.
    members.remove(first);
    first.getLifecycleService().terminate();
    awaitMembers(second, 1);
    assertThat(handover.replay()).isFalse();
    assertThat(handover.pending()).isTrue();

    clock.addAndGet(5_000);
    assertThat(handover.replay()).isTrue();
    assertThat(handover.pending()).isFalse();
  }

  /** A key whose partition {@code member} owns, once the partitions are assigned and settled. */
  private static String keyOwnedBy(HazelcastInstance member) {
    long deadline = System.currentTimeMillis() + 30_000;
    // Hazelcast assigns the partitions on their first use, asynchronously.
    while (member.getPartitionService().getPartitions().stream().anyMatch(p -> p.getOwner() == null)
      || !member.getPartitionService().isClusterSafe()) {
      assertThat(System.currentTimeMillis()).as("partitions assigned").isLessThan(deadline);
      pause();
    }
    for (int i = 0; ; i++) {
      String key = "role-" + i;
      if (member.getPartitionService().getPartition(key).getOwner().localMember()) {
        return key;
      }
    }
  }

  private static void awaitMembers(HazelcastInstance member, int count) {
    long deadline = System.currentTimeMillis() + 30_000;
    while (member.getCluster().getMembers().size() != count || !member.getPartitionService().isClusterSafe()) {
      assertThat(System.currentTimeMillis()).as("%d members, partitions safe", count).isLessThan(deadline);
      pause();
    }
  }

  /** The poll interval of the waits above (each has a deadline). */
  private static void pause() {
    try {
      Thread.sleep(20);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private HazelcastInstance member(String cluster, int quorum) {
    Config config = new Config().setClusterName(cluster);
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.wait.seconds.before.join", "0");
    config.addMapConfig(new MapConfig("switchboard.*").setMergePolicyConfig(new MergePolicyConfig(Greater.class.getName(), 100)));
    ClusterConfigLoader.protectWithQuorum(config, quorum);
    config.getNetworkConfig().setPort(16701).setPortAutoIncrement(true).setPortCount(100);
    config.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    config.getNetworkConfig().getJoin().getAutoDetectionConfig().setEnabled(false);
    config.getNetworkConfig().getJoin().getMulticastConfig().setEnabled(false);
    config.getNetworkConfig().getJoin().getTcpIpConfig().setEnabled(true).addMember("127.0.0.1");
    HazelcastInstance member = Hazelcast.newHazelcastInstance(config);
    members.add(member);
    return member;
  }
}
