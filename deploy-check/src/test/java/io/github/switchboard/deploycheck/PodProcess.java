package io.github.switchboard.deploycheck;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running pod of a {@link PodLaunch}: either a process on this host ({@link #onHost}) or the
 * same command and environment in a container of the image ({@link #inImage}).
 */
final class PodProcess {

  private static final Logger logger = LoggerFactory.getLogger(PodProcess.class);

  private final String name;
  private final Process process;
  private final Path log;
  private final List<String> command;
  /** Runs after the process is gone: removes the pod's container, if it has one. */
  private final Runnable afterStop;

  private PodProcess(String name, Process process, Path log, List<String> command, Runnable afterStop) {
    this.name = name;
    this.process = process;
    this.log = log;
    this.command = command;
    this.afterStop = afterStop;
  }

  /** The pod of {@code component}'s Deployment as a host process (see {@link PodLaunch#fromManifests}). */
  static PodProcess start(Manifests manifests, Component component, String podName, int httpPort, int eventBusPort,
                          PodLaunch.Host host) {
    return onHost(PodLaunch.fromManifests(manifests, component, podName, httpPort, eventBusPort, host), host.workDir());
  }

  /**
   * Runs {@code launch} as a process of this host. The image is not there, so the image's paths
   * are replaced: {@code java} by this JVM's, {@code /app/<jar>} by the jar Maven built, and each
   * ConfigMap file's path (on the command line or in an env value) by the host copy.
   */
  static PodProcess onHost(PodLaunch launch, Path workDir) {
    List<String> line = new ArrayList<>(launch.command());
    line.set(0, Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (Component component : Component.values()) {
      int i = line.indexOf(component.imagePath());
      if (i >= 0) {
        line.set(i, component.builtJar().toAbsolutePath().normalize().toString());
      }
    }
    Map<String, String> env = new LinkedHashMap<>(launch.env());
    launch.files().forEach((inside, host) -> {
      line.replaceAll(word -> word.equals(inside) ? host.toString() : word);
      env.replaceAll((k, v) -> v.equals(inside) ? host.toString() : v);
    });
    for (String word : line.subList(1, line.size())) {
      if (word.startsWith("/") && !Files.exists(Path.of(word))) {
        throw new AssertionError(launch.podName() + ": " + word + " exists only in the image; the smoke test does not know it");
      }
    }
    ProcessBuilder builder = new ProcessBuilder(line);
    // A pod sees only its container's environment: drop the developer's own settings.
    builder.environment().keySet().removeIf(k -> k.startsWith("SWITCHBOARD_") || k.equals("JAVA_TOOL_OPTIONS")
      || k.equals("JDK_JAVA_OPTIONS"));
    builder.environment().putAll(env);
    return launch(launch.podName(), builder, line, env, workDir, () -> { });
  }

  /**
   * Runs {@code launch} unchanged in a new container of {@code image} named {@code container}
   * (see {@link #inContainer}).
   */
  static PodProcess inImage(PodLaunch launch, Buildah buildah, String image, String container, Path workDir) {
    buildah.create(image, container);
    return inContainer(launch, buildah, container, workDir);
  }

  /**
   * Runs {@code launch} unchanged in {@code container}, a working container of the image made by
   * {@link Buildah#create}: the image's java and jars, its user and working directory, the pod's
   * environment added to the image's, and each ConfigMap file mounted read-only at the path the
   * pod would see it. The container is removed when the pod is {@link #destroy destroyed}.
   */
  static PodProcess inContainer(PodLaunch launch, Buildah buildah, String container, Path workDir) {
    try {
      List<String> line = Buildah.runCommand(container, launch.command(), launch.env(), launch.files());
      // buildah itself runs with the test's environment; the pod's is passed with --env.
      return launch(launch.podName(), new ProcessBuilder(line), line, launch.env(), workDir,
        () -> buildah.remove(container));
    } catch (RuntimeException | AssertionError e) {
      buildah.remove(container);
      throw e;
    }
  }

  private static PodProcess launch(String podName, ProcessBuilder builder, List<String> line, Map<String, String> env,
                                   Path workDir, Runnable afterStop) {
    Path log = workDir.resolve(podName + ".log");
    builder.redirectErrorStream(true).redirectOutput(log.toFile())
      .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    try {
      PodLaunch.write(workDir.resolve(podName + ".command"), String.join(" ", line) + "\n" + env + "\n");
      return new PodProcess(podName, builder.start(), log, line, afterStop);
    } catch (IOException e) {
      afterStop.run();
      throw new UncheckedIOException("cannot start " + podName + ": " + line, e);
    }
  }

  String name() {
    return name;
  }

  List<String> command() {
    return command;
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** The last lines of the process's output, for failure messages. */
  String tail() {
    try {
      String out = Files.readString(log, StandardCharsets.UTF_8);
      return out.length() <= 3000 ? out : "..." + out.substring(out.length() - 3000);
    } catch (IOException e) {
      return "(no output: " + e.getMessage() + ")";
    }
  }

  /** Fails with the process's output if it has exited. */
  void assertAlive() {
    if (!process.isAlive()) {
      throw new AssertionError(name + " exited with " + process.exitValue() + ":\n" + tail());
    }
  }

  /**
   * Kills the pod's processes and removes its container. In a container the pod's JVM is the
   * leaf of buildah's process tree (buildah, its chroot runtime, the exec helper, java): killing
   * the leaf lets buildah end by itself and remove its run files; whatever is still there after
   * a while is killed outright. A host process has no tree and is killed directly.
   */
  void destroy() {
    List<ProcessHandle> tree = process.descendants().toList();
    Set<Long> parents = new HashSet<>();
    tree.forEach(h -> h.parent().ifPresent(p -> parents.add(p.pid())));
    List<ProcessHandle> leaves = tree.stream().filter(h -> !parents.contains(h.pid())).toList();
    if (leaves.isEmpty()) {
      process.destroyForcibly();
    } else {
      leaves.forEach(ProcessHandle::destroyForcibly);
    }
    if (!awaitExit(process.toHandle(), Duration.ofSeconds(15))) {
      tree.forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
    List<ProcessHandle> all = new ArrayList<>(tree);
    all.add(process.toHandle());
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    for (ProcessHandle handle : all) {
      awaitExit(handle, Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
    }
    afterStop.run();
    // Not an exception: a cleanup loop must go on to the other pods.
    all.stream().filter(ProcessHandle::isAlive)
      .forEach(h -> logger.warn("{}: process {} still running 30 s after it was killed", name, h.pid()));
  }

  private static boolean awaitExit(ProcessHandle handle, Duration within) {
    try {
      handle.onExit().get(within.toNanos(), TimeUnit.NANOSECONDS);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException | TimeoutException e) {
      return !handle.isAlive();
    }
  }
}
