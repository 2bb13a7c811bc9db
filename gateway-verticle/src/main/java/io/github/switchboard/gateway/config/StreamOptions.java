package io.github.switchboard.gateway.config;

import io.github.switchboard.launcher.settings.Settings;

/**
 * How a gateway sequences and delivers stream groups (groups whose rule has a {@code history},
 * and chat rooms).
 *
 * @param maxStreams      stream groups with a history at once in the cluster (or the embedded
 *                        process); a publish that would open one more is refused with
 *                        {@code limit_reached}
 * @param gapWaitMs       when a delivery arrives ahead of one it has not seen, how long the
 *                        gateway waits for the missing one on the event bus before reading it
 *                        from the history; the wait only saves reads, nothing rests on it
 * @param positionCheckMs how often the gateway compares, for every stream group it serves, the
 *                        last offset it delivered with the stream's newest, and reads what it
 *                        missed (the last message before a quiet spell has no successor to
 *                        reveal its loss)
 */
public record StreamOptions(int maxStreams, long gapWaitMs, long positionCheckMs) {

  public static final int DEFAULT_MAX_STREAMS = 100_000;
  public static final long DEFAULT_GAP_WAIT_MS = 50;
  public static final long DEFAULT_POSITION_CHECK_MS = 2_000;

  static StreamOptions from(Settings s) {
    return new StreamOptions(
      s.intIn("maxStreams", DEFAULT_MAX_STREAMS, 1, Integer.MAX_VALUE),
      s.longIn("streamGapWaitMs", DEFAULT_GAP_WAIT_MS, 0, 10_000),
      s.longIn("positionCheckMs", DEFAULT_POSITION_CHECK_MS, 100, 600_000));
  }
}
