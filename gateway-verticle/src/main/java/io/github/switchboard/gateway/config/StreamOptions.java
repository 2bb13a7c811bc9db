package io.github.switchboard.gateway.config;

import io.github.switchboard.coordination.history.HistoryFileOptions;
import io.github.switchboard.launcher.settings.Settings;

import java.nio.file.Path;

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
 * @param persistHistory  embedded mode: keep the stream groups' and chat rooms' history in files
 *                        under {@code dataDir}, read back at the next start (the cluster keeps
 *                        its history in the data members' memory)
 * @param dataDir         the directory of those files (relative: to the working directory)
 * @param historyFsync    acknowledge a message once its record is forced to the disk, not only
 *                        handed to the operating system
 */
public record StreamOptions(int maxStreams, long gapWaitMs, long positionCheckMs, boolean persistHistory,
                            String dataDir, boolean historyFsync) {

  public static final int DEFAULT_MAX_STREAMS = 100_000;
  public static final long DEFAULT_GAP_WAIT_MS = 50;
  public static final long DEFAULT_POSITION_CHECK_MS = 2_000;
  public static final boolean DEFAULT_PERSIST_HISTORY = true;
  public static final String DEFAULT_DATA_DIR = "switchboard-data";
  public static final boolean DEFAULT_HISTORY_FSYNC = false;

  public StreamOptions {
    if (persistHistory && (dataDir == null || dataDir.isBlank())) {
      throw new IllegalArgumentException("dataDir must name a directory while persistHistory is on");
    }
  }

  static StreamOptions from(Settings s) {
    return new StreamOptions(
      s.intIn("maxStreams", DEFAULT_MAX_STREAMS, 1, Integer.MAX_VALUE),
      s.longIn("streamGapWaitMs", DEFAULT_GAP_WAIT_MS, 0, 10_000),
      s.longIn("positionCheckMs", DEFAULT_POSITION_CHECK_MS, 100, 600_000),
      s.bool("persistHistory", DEFAULT_PERSIST_HISTORY),
      s.string("dataDir", DEFAULT_DATA_DIR),
      s.bool("historyFsync", DEFAULT_HISTORY_FSYNC));
  }

  /** Where the embedded stores keep their files; null when history lives in memory only. */
  public HistoryFileOptions historyFiles() {
    return persistHistory ? new HistoryFileOptions(Path.of(dataDir), historyFsync) : null;
  }
}
