package io.github.switchboard.launcher;

import com.hazelcast.splitbrainprotection.SplitBrainProtectionException;

/**
 * A write refused because a data member that rejoined after a split has not handed its data over
 * yet ({@link MergeBarrier}). Nothing was stored; the same write succeeds once the merge is done.
 * A split-brain protection failure to Hazelcast (it is not retried, and is not logged as an error).
 */
public class MergePendingException extends SplitBrainProtectionException {

  public MergePendingException(String message) {
    super(message);
  }
}
