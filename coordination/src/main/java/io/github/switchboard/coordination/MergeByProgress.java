package io.github.switchboard.coordination;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.spi.merge.MergingValue;
import com.hazelcast.spi.merge.SplitBrainMergePolicy;
import io.github.switchboard.coordination.fence.Fenced;
import io.github.switchboard.coordination.history.StreamLog;
import io.github.switchboard.launcher.MergeOrder;

/**
 * How the {@code switchboard.*} maps merge when a network split heals (cluster.xml): per entry,
 * the copy that got further wins, whichever side Hazelcast merges into which.
 * <ul>
 *   <li>a stream ({@link StreamLog}): the higher watermark in the same epoch (only a side with
 *   the quorum commits, so that is the side that acknowledged what the other did not);
 *   another epoch: the one committed last (a stream freed and started again beats its old
 *   copy; a copy a cut-off member created on its own, never committed, loses: seen in the
 *   chaos soak, where a member woken from SIGSTOP opened a room anew on its stale copy);</li>
 *   <li>a fenced value ({@link Fenced}): the greater token (the newer holder of the role);</li>
 *   <li>a role's token ({@link Long}): the greater one, so tokens never go back;</li>
 *   <li>anything else (presence entries), and every tie: the copy of the cluster merged into.</li>
 * </ul>
 * An entry only one side has is kept: Hazelcast's default ({@code PutIfAbsentMergePolicy})
 * would keep the other side's copy whenever both have one, and which side that is depends on
 * which has more members, not on which one had the quorum (after a kill during a split both
 * sides can be equal).
 *
 * <p>As a {@link MergeOrder} it also decides again, after Hazelcast's merge, for the copies a
 * merging member kept of the values it orders (streams, fenced values, tokens): the launcher's
 * merge barrier applies those whose merge Hazelcast dropped.
 */
public final class MergeByProgress<V, T extends MergingValue<V>> implements SplitBrainMergePolicy<V, T, Object>, MergeOrder {

  @Override
  public Object merge(T merging, T existing) {
    if (existing == null) {
      return merging.getRawValue();
    }
    if (merging == null) {
      return existing.getRawValue();
    }
    return gotFurther(merging.getValue(), existing.getValue()) ? merging.getRawValue() : existing.getRawValue();
  }

  @Override
  public boolean orders(Object value) {
    return value instanceof StreamLog || value instanceof Fenced || value instanceof Long;
  }

  @Override
  public boolean further(Object candidate, Object kept) {
    return gotFurther(candidate, kept);
  }

  /** Whether {@code candidate} got further than {@code kept}. */
  static boolean gotFurther(Object candidate, Object kept) {
    if (candidate instanceof StreamLog a && kept instanceof StreamLog b) {
      return StreamLog.further(a, b);
    }
    if (candidate instanceof Fenced a && kept instanceof Fenced b) {
      return a.token() > b.token();
    }
    if (candidate instanceof Long a && kept instanceof Long b) {
      return a > b;
    }
    return false;
  }

  @Override
  public void writeData(ObjectDataOutput out) {
  }

  @Override
  public void readData(ObjectDataInput in) {
  }
}
