package io.github.switchboard.coordination;

import com.hazelcast.core.IndeterminateOperationStateException;
import com.hazelcast.splitbrainprotection.SplitBrainProtectionException;
import io.github.switchboard.launcher.MergePendingException;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The cluster's storage could not take a write (or serve a read) now, for a reason that passes:
 * this side of a network split has no quorum or is still merging with the other side (nothing was
 * stored), or a write's backup did not answer in time ({@link #indeterminate}: the write may or
 * may not be stored). Never an
 * acknowledgement: callers answer {@code service_unavailable} or {@code timeout}.
 */
public final class StoreUnavailableException extends RuntimeException {

  private final boolean indeterminate;

  private StoreUnavailableException(String message, boolean indeterminate, Throwable cause) {
    super(message, cause, false, false);
    this.indeterminate = indeterminate;
  }

  /**
   * A write that reached part of its way (stored in memory, say) and failed after: its outcome
   * is unknown to the caller, who answers {@code timeout}.
   */
  public static StoreUnavailableException unconfirmed(String message, Throwable cause) {
    return new StoreUnavailableException(message, true, cause);
  }

  /** Whether the write may have been stored although it failed (a repeat with its id is safe). */
  public boolean indeterminate() {
    return indeterminate;
  }

  /**
   * Hazelcast's failures that mean "not now" turned into this exception; anything else (a bug, a
   * bound reached) is returned as it is, unwrapped.
   */
  public static Throwable translate(Throwable error) {
    Throwable cause = error;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof MergePendingException) {
      return new StoreUnavailableException("a data member has just joined (rejoined after a split, or started) "
        + "and has not marked its data handed over yet; nothing was stored", false, cause);
    }
    if (cause instanceof SplitBrainProtectionException) {
      // Hazelcast's own refusal says only that the protection failed; QuorumGuard's say why.
      String why = cause.getMessage() != null && cause.getMessage().contains(" refused: ")
        ? cause.getMessage() : "this side of the cluster has too few data members (no quorum)";
      return new StoreUnavailableException(why + "; nothing was stored", false, cause);
    }
    if (cause instanceof io.github.switchboard.coordination.history.HistoryUnavailableException history) {
      return new StoreUnavailableException(history.write()
        ? "the history database did not take the write (" + history.getMessage() + "); it may be stored later with"
          + " the stream's next write: the outcome is unknown"
        : "the history database could not be read (" + history.getMessage() + ")", history.write(), cause);
    }
    if (cause instanceof IndeterminateOperationStateException) {
      return new StoreUnavailableException("the storage's backup copy did not answer in time; the write may or "
        + "may not be stored", true, cause);
    }
    return cause;
  }
}
