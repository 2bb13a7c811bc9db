package io.github.switchboard.clustertest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One fat jar running as its own process, its output in a file under target/cluster-logs. */
final class ClusterProcess implements AutoCloseable {

  private final String name;
  private final Process process;
  private final Path log;

  private ClusterProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /** How many processes of this JVM wrote each log file. */
  private static final Map<Path, Integer> RUNS = new ConcurrentHashMap<>();

  /** Small and quick to start: six of these share two cores in CI. */
  static final List<String> DEFAULT_JVM_OPTIONS = List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

  static ClusterProcess start(String name, Path jar, List<String> jvmOptions, List<String> args, Map<String, String> env,
                              Path logDir) {
    return start(name, List.of(), jar, jvmOptions, args, env, logDir);
  }

  /** @param prefix what the java command runs under (as {@code ip netns exec <ns>}); it must exec java */
  static ClusterProcess start(String name, List<String> prefix, Path jar, List<String> jvmOptions, List<String> args,
                              Map<String, String> env, Path logDir) {
    List<String> command = new ArrayList<>(prefix);
    command.add(javaTool("java"));
    command.addAll(jvmOptions);
    command.add("-jar");
    command.add(jar.toString());
    command.addAll(args);
    try {
      Files.createDirectories(logDir);
      Path log = logDir.resolve(name + ".log");
      // A process started again under its name (the chaos soak) keeps the earlier output: the
      // earlier log moves to <name>-<n>.log.
      int earlier = RUNS.merge(log, 1, Integer::sum) - 1;
      if (earlier > 0 && Files.exists(log)) {
        Files.move(log, log.resolveSibling(name + "-" + earlier + ".log"), StandardCopyOption.REPLACE_EXISTING);
      }
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
      builder.environment().putAll(env);
      return new ClusterProcess(name, builder.start(), log);
    } catch (IOException e) {
      throw new AssertionError("cannot start " + name + ": " + command, e);
    }
  }

  String name() {
    return name;
  }

  long pid() {
    return process.pid();
  }

  /**
   * Bytes of live objects in the process's heap, counted by {@code jcmd GC.class_histogram},
   * which collects garbage first (a full GC): what the process really holds, not what its
   * collector has yet to free.
   */
  long liveHeapBytes() {
    List<String> command = List.of(javaTool("jcmd"), String.valueOf(process.pid()), "GC.class_histogram");
    // Into a file, not read from a pipe: a read would block past the deadline below if the
    // process never answers (stopped, or stuck in a safepoint), so the deadline would not apply.
    Path histogram = log.resolveSibling(name + "-histogram.txt");
    try {
      Process jcmd = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(histogram.toFile()).start();
      if (!jcmd.waitFor(60, TimeUnit.SECONDS)) {
        jcmd.destroyForcibly();
        throw new AssertionError("jcmd did not answer within 60 s on " + name + ": " + read(histogram));
      }
      String out = read(histogram);
      if (jcmd.exitValue() != 0) {
        throw new AssertionError("jcmd failed on " + name + ": " + out);
      }
      // The last line: "Total <instances> <bytes>".
      Matcher total = Pattern.compile("(?m)^Total\\s+\\d+\\s+(\\d+)\\s*$").matcher(out);
      if (!total.find()) {
        throw new AssertionError("no total in the class histogram of " + name + ": " + out);
      }
      return Long.parseLong(total.group(1));
    } catch (IOException e) {
      throw new AssertionError("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(" + file + " unreadable: " + e.getMessage() + ")";
    }
  }

  private static String javaTool(String tool) {
    return Path.of(System.getProperty("java.home"), "bin", tool).toString();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  String output() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  /** Polls the output until the pattern shows up; fails with the output at the deadline. */
  void awaitOutput(Pattern pattern, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!pattern.matcher(output()).find()) {
      if (!process.isAlive()) {
        throw new AssertionError(name + " exited with " + process.exitValue() + " before '" + pattern + "':\n" + tail());
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(name + " did not print '" + pattern + "' within " + timeout + ":\n" + tail());
      }
      pause();
    }
  }

  /** Sends kill -9 and returns at once, so that several processes die together. */
  void destroyNow() {
    process.destroyForcibly();
  }

  /** kill -9: no shutdown hook, no goodbye to the cluster. */
  void kill() {
    process.destroyForcibly();
    waitForExit(Duration.ofSeconds(30));
  }

  /** SIGSTOP: the process is frozen (a long GC pause, a stalled VM) until {@link #thaw}. */
  void freeze() {
    signal("STOP");
  }

  /** SIGCONT after {@link #freeze}. */
  void thaw() {
    signal("CONT");
  }

  private void signal(String signal) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid())).redirectErrorStream(true).start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new AssertionError("kill -" + signal + " " + process.pid() + " failed");
      }
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** SIGTERM, as Kubernetes and systemd stop a process. */
  void terminate() {
    process.destroy();
  }

  boolean waitForExit(Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  int exitValue() {
    return process.exitValue();
  }

  String tail() {
    String out = output();
    return out.length() <= 4000 ? out : out.substring(out.length() - 4000);
  }

  static void pause() {
    try {
      Thread.sleep(50);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      waitForExit(Duration.ofSeconds(30));
    }
  }
}
