package io.github.switchboard.coordination.history;

/**
 * The history database did not take a write, or could not be read (down, unreachable, slower
 * than its timeout, or not configured on the data member that holds the stream). Thrown by
 * {@link StreamLogStore} on the data member and carried back to the caller by Hazelcast;
 * {@link io.github.switchboard.coordination.StoreUnavailableException#translate} turns it into
 * {@code timeout} for a write (its message is in memory and may be read later: the outcome is
 * unknown) or {@code service_unavailable} for a read.
 */
public final class HistoryUnavailableException extends RuntimeException {

  private final boolean write;

  public HistoryUnavailableException(String message, boolean write, Throwable cause) {
    super(message, cause);
    this.write = write;
  }

  /** Whether a write failed (else a read). */
  public boolean write() {
    return write;
  }
}
