package io.github.switchboard.deploycheck;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One pod of a Deployment in k8s/, run as a local process: the container's command and args
 * and its environment, with only what cannot exist on this machine replaced (see
 * {@link #start}).
 */
final class PodProcess {

  private final String name;
  private final Process process;
  private final Path log;
  private final List<String> command;

  private PodProcess(String name, Process process, Path log, List<String> command) {
    this.name = name;
    this.process = process;
    this.log = log;
    this.command = command;
  }

  /** Where this machine differs from a pod, for every pod of one smoke cluster. */
  record Host(String clusterName, int hazelcastBasePort, Path workDir) {
  }

  /**
   * Starts the pod of {@code component}'s Deployment as {@code podName}. {@code httpPort} is
   * the gateway's port (ignored for the others), {@code eventBusPort} replaces -cluster-port.
   */
  static PodProcess start(Manifests manifests, Component component, String podName, int httpPort, int eventBusPort,
                          Host host) {
    Deployment deployment = manifests.deployment(component)
      .orElseThrow(() -> new AssertionError("no Deployment in k8s/ runs " + component.imagePath()));
    PodSpec pod = deployment.getSpec().getTemplate().getSpec();
    Container container = Manifests.containers(deployment).stream().filter(component::runs).findFirst().orElseThrow();

    // The downward API as the kubelet would fill it for a pod whose IP is 127.0.0.1.
    Map<String, String> fields = Map.of("status.podIP", "127.0.0.1", "status.podIPs", "127.0.0.1",
      "status.hostIP", "127.0.0.1", "status.hostIPs", "127.0.0.1", "metadata.name", podName,
      "metadata.namespace", "default", "metadata.uid", podName, "spec.nodeName", "localhost",
      "spec.serviceAccountName", "default");
    List<String> problems = new ArrayList<>();
    Map<String, String> env = new LinkedHashMap<>(PodFiles.environment(manifests, container, fields, problems));
    if (!problems.isEmpty()) {
      throw new AssertionError(podName + ": the container's environment cannot be worked out: " + problems);
    }
    // There is no Kubernetes DNS here and no headless Service to look up: join by member list.
    env.put("SWITCHBOARD_CLUSTER_DISCOVERY", "tcp-ip");
    // Every "pod" of this smoke cluster runs on this host.
    env.put("SWITCHBOARD_CLUSTER_MEMBERS", "127.0.0.1");
    // A cluster of its own: never join the members of another test run, or of a developer's
    // processes, on this shared machine.
    env.put("SWITCHBOARD_CLUSTER_NAME", host.clusterName());
    // Pods each have an IP and all use 5701; here they share one IP, so a free base port and
    // Hazelcast's auto-increment give each process its own port, away from a local 5701.
    env.put("SWITCHBOARD_CLUSTER_PORT", String.valueOf(host.hazelcastBasePort()));
    // /cluster/cluster.xml exists only inside the pod (a ConfigMap mount); the copy bundled in
    // the jar is the same file (ManifestsAreValidTest asserts that the two are equal).
    env.remove("SWITCHBOARD_CLUSTER_CONFIG");
    // Each pod has its own network namespace for its health port (8081); here they share one.
    if (env.containsKey("SWITCHBOARD_HEALTH_PORT")) {
      try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
        env.put("SWITCHBOARD_HEALTH_PORT", String.valueOf(socket.getLocalPort()));
      } catch (java.io.IOException e) {
        throw new AssertionError(e);
      }
    }

    List<String> unresolved = new ArrayList<>();
    List<String> line = new ArrayList<>();
    for (String word : Component.commandLine(container)) {
      line.add(PodFiles.expand(word, env, unresolved));
    }
    if (!unresolved.isEmpty()) {
      throw new AssertionError(podName + ": command/args refer to undefined env vars " + unresolved);
    }
    if (line.isEmpty() || !line.get(0).equals("java")) {
      throw new AssertionError(podName + ": the container command should start with java, got " + line);
    }
    line.set(0, Path.of(System.getProperty("java.home"), "bin", "java").toString());
    replace(line, component.imagePath(), component.builtJar().toAbsolutePath().normalize().toString());
    String conf = PodFiles.argument(line, "-conf");
    if (component == Component.GATEWAY) {
      if (conf == null) {
        throw new AssertionError(podName + ": the gateway container has no -conf, so its port cannot be moved");
      }
      PodFiles.ConfigFile file = PodFiles.file(manifests, pod, container, conf)
        .orElseThrow(() -> new AssertionError(podName + ": -conf " + conf + " comes from no ConfigMap mount"));
      // Two gateways on one host cannot both listen on 8080.
      JsonObject config = new JsonObject(file.content()).put("port", httpPort);
      replace(line, conf, write(host.workDir().resolve(podName + "-" + file.key()), config.encodePrettily()));
    }
    String busPort = PodFiles.argument(line, "-cluster-port");
    if (busPort != null) {
      // Same reason as the Hazelcast port: 5702 is per pod IP there, shared here.
      line.set(line.indexOf("-cluster-port") + 1, String.valueOf(eventBusPort));
    }
    for (String word : line.subList(1, line.size())) {
      if (word.startsWith("/") && !Files.exists(Path.of(word))) {
        throw new AssertionError(podName + ": " + word + " exists only in the image; the smoke test does not know it");
      }
    }

    Path log = host.workDir().resolve(podName + ".log");
    ProcessBuilder builder = new ProcessBuilder(line).redirectErrorStream(true).redirectOutput(log.toFile());
    // A pod sees only its container's environment: drop the developer's own settings.
    builder.environment().keySet().removeIf(k -> k.startsWith("SWITCHBOARD_") || k.equals("JAVA_TOOL_OPTIONS")
      || k.equals("JDK_JAVA_OPTIONS"));
    builder.environment().putAll(env);
    try {
      write(host.workDir().resolve(podName + ".command"), String.join(" ", line) + "\n" + env + "\n");
      return new PodProcess(podName, builder.start(), log, line);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + podName + ": " + line, e);
    }
  }

  private static void replace(List<String> line, String from, String to) {
    int i = line.indexOf(from);
    if (i < 0) {
      throw new AssertionError(from + " is not on the command line " + line);
    }
    line.set(i, to);
  }

  private static String write(Path file, String content) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, content, StandardCharsets.UTF_8);
      return file.toAbsolutePath().toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
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

  void destroy() {
    process.destroyForcibly();
    try {
      process.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
