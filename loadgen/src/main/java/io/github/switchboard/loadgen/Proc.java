package io.github.switchboard.loadgen;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Linux process figures from {@code /proc}: CPU time (utime + stime of {@code /proc/<pid>/stat},
 * in clock ticks, all threads) and resident memory ({@code VmRSS} of {@code /proc/<pid>/status}).
 */
public final class Proc {

  private Proc() {
  }

  /** utime + stime of a process in clock ticks; -1 if it cannot be read. {@code pid} "self" works. */
  public static long cpuTicks(String pid) {
    long[] split = cpuTicksSplit(pid);
    return split == null ? -1 : split[0] + split[1];
  }

  /** {utime, stime} of a process in clock ticks; null if it cannot be read. */
  public static long[] cpuTicksSplit(String pid) {
    try {
      return userAndSystemOf(Files.readString(Path.of("/proc", pid, "stat")));
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /**
   * Parses a {@code /proc/<pid>/stat} line. The command name (field 2) is in parentheses and may
   * hold spaces, so fields are counted after the last ')': field 3 is the state, utime is field
   * 14 and stime field 15.
   */
  static long cpuTicksOf(String stat) {
    long[] split = userAndSystemOf(stat);
    return split[0] + split[1];
  }

  static long[] userAndSystemOf(String stat) {
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
    // f[0] is field 3, so field k is f[k - 3].
    return new long[] {Long.parseLong(f[14 - 3]), Long.parseLong(f[15 - 3])};
  }

  /** Resident set size in KiB; -1 if it cannot be read. */
  public static long rssKib(String pid) {
    try {
      return rssKibOf(Files.readString(Path.of("/proc", pid, "status")));
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  static long rssKibOf(String status) {
    for (String line : status.split("\n")) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.substring("VmRSS:".length()).replace("kB", "").trim());
      }
    }
    return -1;
  }
}
