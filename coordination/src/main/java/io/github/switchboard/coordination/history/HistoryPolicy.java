package io.github.switchboard.coordination.history;

/**
 * How much of one stream is kept.
 *
 * @param size  messages kept; older ones fall off
 * @param ttlMs a stream with no append for this long is freed, history and offsets with it (the
 *              next append starts it again at offset 1, in a new epoch)
 */
public record HistoryPolicy(int size, long ttlMs) {

  public HistoryPolicy {
    if (size < 1 || ttlMs < 1) {
      throw new IllegalArgumentException("history size and ttlMs must be positive, got " + size + " and " + ttlMs);
    }
  }
}
