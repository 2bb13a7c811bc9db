package io.github.switchboard.launcher;

/**
 * A split-brain merge policy that orders two copies of a value by progress (which one got
 * further). The merge barrier asks it again after Hazelcast's merge ({@link MergeHandover}): a
 * copy Hazelcast's merge did not bring in is applied once more, with the same decision.
 */
public interface MergeOrder {

  /**
   * Whether this policy orders such values by progress. Only those are applied again after a
   * merge; the others (presence entries) are left to Hazelcast's merge, since an entry removed
   * after it must not come back.
   */
  boolean orders(Object value);

  /** Whether {@code candidate} got further than {@code kept}; a tie is not further. */
  boolean further(Object candidate, Object kept);
}
