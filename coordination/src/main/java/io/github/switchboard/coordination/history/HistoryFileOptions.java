package io.github.switchboard.coordination.history;

import java.nio.file.Path;

/**
 * Where a local store keeps its history file, and whether each write is forced to the disk
 * before it is acknowledged.
 *
 * @param dir   the data directory; each store has {@code <name>.history} and {@code <name>.lock} in it
 * @param fsync true: a message is acknowledged once its record is on the disk (survives a power
 *              cut, costs a disk flush per batch of writes); false: once the operating system has
 *              it (survives kill -9 and a crash of the JVM)
 */
public record HistoryFileOptions(Path dir, boolean fsync) {

  public HistoryFileOptions {
    if (dir == null) {
      throw new IllegalArgumentException("a history file needs a data directory");
    }
  }
}
