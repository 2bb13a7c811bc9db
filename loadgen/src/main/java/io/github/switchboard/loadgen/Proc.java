package io.github.switchboard.loadgen;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

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

  /**
   * {utime, stime} of a process and all its descendants, in clock ticks; null if the process
   * cannot be read. For a server that forks a process per connection and for background work
   * (PostgreSQL): its processes come and go during a run, so a fixed list of pids would miss the
   * new ones and lose the figure when one exits. Summed: each living process's own time plus its
   * cutime/cstime (the time of the children it has waited for, theirs included), so between two
   * readings a child born or ended in between counts once. The processes are found by the parent
   * pid of every {@code /proc/<pid>/stat}; one that ends while /proc is read may be missed once.
   */
  public static long[] treeCpuTicksSplit(String root) {
    Map<String, long[]> stats = new HashMap<>();
    Map<String, List<String>> children = new HashMap<>();
    try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
      entries.map(p -> p.getFileName().toString()).filter(n -> n.chars().allMatch(Character::isDigit)).forEach(pid -> {
        try {
          long[] f = parentAndTicksOf(Files.readString(Path.of("/proc", pid, "stat")));
          stats.put(pid, f);
          children.computeIfAbsent(String.valueOf(f[0]), k -> new ArrayList<>()).add(pid);
        } catch (IOException | RuntimeException e) {
          // gone meanwhile
        }
      });
    } catch (IOException | RuntimeException e) {
      return null;
    }
    if (!stats.containsKey(root)) {
      return null;
    }
    long[] sum = new long[2];
    Deque<String> todo = new ArrayDeque<>(List.of(root));
    while (!todo.isEmpty()) {
      String pid = todo.pop();
      long[] f = stats.get(pid);
      sum[0] += f[1] + f[3];
      sum[1] += f[2] + f[4];
      todo.addAll(children.getOrDefault(pid, List.of()));
    }
    return sum;
  }

  /** {ppid, utime, stime, cutime, cstime} of a {@code /proc/<pid>/stat} line (fields 4, 14-17). */
  static long[] parentAndTicksOf(String stat) {
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
    return new long[] {Long.parseLong(f[4 - 3]), Long.parseLong(f[14 - 3]), Long.parseLong(f[15 - 3]),
      Long.parseLong(f[16 - 3]), Long.parseLong(f[17 - 3])};
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
