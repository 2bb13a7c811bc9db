package io.github.switchboard.deploycheck;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The buildah commands the image smoke test needs, with the settings this machine requires:
 * vfs storage (no overlay driver in the store, the same store build-image.sh fills) and chroot
 * isolation (crun cannot run here). A chroot container shares the host's network and PID
 * namespaces, so its ports are host ports and its processes are host processes.
 *
 * <p>Working containers made here are removed by {@link #remove}, and, should the test JVM be
 * stopped before, by a shutdown hook: each one is a full copy of the image with vfs.
 */
final class Buildah {

  private static final List<String> BUILDAH = List.of("buildah", "--storage-driver", "vfs");
  private static final Duration SHORT = Duration.ofSeconds(120);

  private final Set<String> containers = ConcurrentHashMap.newKeySet();

  Buildah() {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> List.copyOf(containers).forEach(this::remove),
      "buildah-cleanup"));
  }

  /** The image's configuration (OCI): User, Cmd, Env, WorkingDir, ExposedPorts. */
  JsonObject imageConfig(String image) {
    JsonObject inspect = new JsonObject(run(List.of("inspect", "--type", "image", image), SHORT));
    return inspect.getJsonObject("OCIv1").getJsonObject("config");
  }

  /** The image's default command (CMD). */
  List<String> imageCmd(String image) {
    JsonArray cmd = imageConfig(image).getJsonArray("Cmd", new JsonArray());
    List<String> line = new ArrayList<>();
    cmd.forEach(word -> line.add(String.valueOf(word)));
    return line;
  }

  /** A new working container of {@code image} named {@code name} (never pulls: no registry here). */
  String create(String image, String name) {
    containers.add(name);
    run(List.of("from", "--pull=never", "--quiet", "--name", name, image), SHORT);
    return name;
  }

  /** Removes a working container made by {@link #create}; quietly, so it can run in cleanups. */
  void remove(String container) {
    try {
      run(List.of("rm", container), SHORT);
    } catch (RuntimeException | AssertionError e) {
      // Already gone, or never made: nothing to remove.
    }
    containers.remove(container);
  }

  /**
   * The {@code buildah run} command line that runs {@code command} in {@code container} with
   * {@code env} added to the image's environment and each host file mounted read-only at its
   * path, as a Kubernetes ConfigMap mount would be.
   */
  static List<String> runCommand(String container, List<String> command, Map<String, String> env,
                                 Map<String, Path> files) {
    List<String> line = new ArrayList<>(BUILDAH);
    line.addAll(List.of("run", "--isolation", "chroot"));
    env.forEach((k, v) -> line.addAll(List.of("--env", k + "=" + v)));
    files.forEach((inside, host) -> line.addAll(List.of("--volume", host.toAbsolutePath() + ":" + inside + ":ro")));
    line.add(container);
    line.add("--");
    line.addAll(command);
    return line;
  }

  /** Runs {@code command} to its end in {@code container}; returns its exit code and output. */
  Result exec(String container, List<String> command) {
    List<String> line = runCommand(container, command, Map.of(), Map.of());
    return execute(line, SHORT);
  }

  record Result(int exitCode, String output) {
  }

  private String run(List<String> args, Duration timeout) {
    List<String> line = new ArrayList<>(BUILDAH);
    line.addAll(args);
    Result result = execute(line, timeout);
    if (result.exitCode() != 0) {
      throw new AssertionError(String.join(" ", line) + " exited with " + result.exitCode() + ": " + result.output());
    }
    return result.output();
  }

  private static Result execute(List<String> line, Duration timeout) {
    Path out = null;
    try {
      // Output to a file, not a pipe: the timeout holds even if the command never closes it.
      out = Files.createTempFile("buildah", ".out");
      Process process = new ProcessBuilder(line).redirectErrorStream(true).redirectOutput(out.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(String.join(" ", line) + " did not end within " + timeout);
      }
      return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8).strip());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + line, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    } finally {
      if (out != null) {
        try {
          Files.deleteIfExists(out);
        } catch (IOException ignored) {
          // A temporary file left behind is harmless.
        }
      }
    }
  }
}
