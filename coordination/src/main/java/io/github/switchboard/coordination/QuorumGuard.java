package io.github.switchboard.coordination;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.instance.impl.HazelcastInstanceImpl;
import com.hazelcast.instance.impl.HazelcastInstanceProxy;
import com.hazelcast.internal.partition.PartitionReplica;
import com.hazelcast.splitbrainprotection.SplitBrainProtectionException;
import io.github.switchboard.launcher.ClusterConfigLoader;
import io.github.switchboard.launcher.DataMemberQuorum;
import io.github.switchboard.launcher.MergeBarrier;

/**
 * The quorum checked again inside each entry processor, on the member that runs it, against its
 * membership view at that moment.
 *
 * <p>Why Hazelcast's split-brain protection is not enough on its own: it updates its state from
 * membership events, and an operation retried because a member left can run on the new owner
 * before that update. Seen in PartitionTest: a simulator frozen for 15 s found itself alone when
 * it woke up, its saves (retried after the other members were dropped from its view) ran on its
 * own stale copies with no backup to wait for, and it published versions its successor had
 * already issued. The member list is updated before any of that runs, so this check closes the
 * window.
 *
 * <p>It also holds writes while a data member that rejoined after a split has not handed its
 * data over ({@link MergeBarrier}).
 */
public final class QuorumGuard {

  private QuorumGuard() {
  }

  /**
   * Throws SplitBrainProtectionException when {@code hazelcast} sees fewer data members than the
   * quorum, or a data member still merging its data in.
   */
  public static void check(HazelcastInstance hazelcast, String what) {
    if (hazelcast == null) {
      return;
    }
    int quorum = ClusterConfigLoader.quorumOf(hazelcast.getConfig());
    if (quorum <= 1) {
      return;
    }
    int seen = DataMemberQuorum.dataMembers(hazelcast.getCluster().getMembers());
    if (seen < quorum) {
      throw new SplitBrainProtectionException(what + " refused: this member sees " + seen + " data members, the quorum is "
        + quorum);
    }
    MergeBarrier.check(hazelcast, what);
  }

  /**
   * {@link #check}, and for a write: the key's partition must have a backup replica that this
   * member has in view. Hazelcast answers a write at once when its partition has no backup
   * assigned, so such a write would be acknowledged with one copy. Seen in CI's
   * PartitionTest: on the side being cut off, a member that had just dropped one unreachable
   * member (and still counted the other, so the quorum held) promoted itself to owner of that
   * member's partitions with no backup yet; a chat append retried there was acknowledged on its
   * stale copy, at an offset the other side had used, and the merge dropped it. On the side that
   * keeps the quorum the same rule refuses writes for the moment between a member's loss and the
   * new backup's assignment.
   */
  public static void checkWrite(HazelcastInstance hazelcast, Object key, String what) {
    check(hazelcast, what);
    if (hazelcast == null || ClusterConfigLoader.quorumOf(hazelcast.getConfig()) <= 1) {
      return;
    }
    HazelcastInstanceImpl member = hazelcast instanceof HazelcastInstanceProxy proxy ? proxy.getOriginal()
      : hazelcast instanceof HazelcastInstanceImpl impl ? impl : null;
    if (member == null) {
      return;
    }
    int partitionId = hazelcast.getPartitionService().getPartition(key).getPartitionId();
    PartitionReplica backup = member.node.getPartitionService().getPartition(partitionId).getReplica(1);
    if (backup == null || member.node.getClusterService().getMember(backup.address(), backup.uuid()) == null) {
      throw new SplitBrainProtectionException(what + " refused: partition " + partitionId
        + " has no backup on a member in this member's view (a member was just lost)");
    }
  }
}
