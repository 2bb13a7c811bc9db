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
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one pod's container runs, worked out from the manifests: the command line and the
 * environment as the container sees them (paths inside the image, {@code $(VAR)} expanded), and
 * the ConfigMap files it reads, written to the host. The same launch is started either as a host
 * process or inside a container of the image ({@link PodProcess}), so the two smoke tests run
 * one reading of the manifests.
 *
 * <p>A pod has its own IP; here every pod shares the host's network (a host process, or a
 * buildah container on the host network), so {@link #fromManifests} changes only what would
 * collide on one address or reach outside this machine, each change explained where it is made.
 *
 * @param podName the pod's name (metadata.name), also the name of its log and files
 * @param command the container's command and args, as it would run them
 * @param env     the container's environment
 * @param files   path inside the container -> the host file with its content (from a ConfigMap)
 */
record PodLaunch(String podName, List<String> command, Map<String, String> env, Map<String, Path> files) {

  PodLaunch {
    command = List.copyOf(command);
    env = Collections.unmodifiableMap(new LinkedHashMap<>(env));
    files = Map.copyOf(files);
  }

  /**
   * Where this machine differs from a pod, for every pod of one smoke cluster: its cluster name,
   * the Hazelcast base port, the folder for the pods' files and logs, and the ports handed out.
   */
  record Host(String clusterName, int hazelcastBasePort, Path workDir, FreePorts ports) {
  }

  /**
   * The pod of {@code component}'s Deployment, named {@code podName}. {@code httpPort} is the
   * gateway's port (ignored for the others), {@code eventBusPort} replaces -cluster-port.
   */
  static PodLaunch fromManifests(Manifests manifests, Component component, String podName, int httpPort,
                                 int eventBusPort, Host host) {
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
    // Each pod has its own network namespace for its health port (8081); here they share one.
    if (env.containsKey("SWITCHBOARD_HEALTH_PORT")) {
      env.put("SWITCHBOARD_HEALTH_PORT", String.valueOf(host.ports().port()));
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

    // The files the container reads that a ConfigMap mount provides: its -conf and
    // SWITCHBOARD_CLUSTER_CONFIG, written out with the ConfigMap's content. Secret mounts get
    // nothing: no Secret exists here, as in a cluster whose operator created none, and an optional
    // Secret volume is then an empty directory. Their optional secretKeyRefs are left unset
    // (PodFiles.environment), so SWITCHBOARD_HISTORY_DB_URL is too and the history stays in
    // memory: SWITCHBOARD_HISTORY_DB_PASSWORD_FILE names a missing file that is never read.
    Map<String, Path> files = new LinkedHashMap<>();
    String conf = PodFiles.argument(line, "-conf");
    if (component == Component.GATEWAY && conf == null) {
      throw new AssertionError(podName + ": the gateway container has no -conf, so its port cannot be moved");
    }
    List<String> paths = new ArrayList<>();
    if (conf != null) {
      paths.add(conf);
    }
    String clusterConfig = env.get("SWITCHBOARD_CLUSTER_CONFIG");
    if (clusterConfig != null && !clusterConfig.isBlank()) {
      paths.add(clusterConfig);
    }
    for (String path : paths) {
      PodFiles.ConfigFile file = PodFiles.file(manifests, pod, container, path)
        .orElseThrow(() -> new AssertionError(podName + ": " + path + " comes from no ConfigMap mount"));
      String content = file.content();
      if (component == Component.GATEWAY && path.equals(conf)) {
        // Two gateways on one host cannot both listen on 8080.
        content = new JsonObject(content).put("port", httpPort).encodePrettily();
      }
      files.put(path, write(host.workDir().resolve(podName + "-" + file.key()), content));
    }

    String busPort = PodFiles.argument(line, "-cluster-port");
    if (busPort != null) {
      // Same reason as the Hazelcast port: 5702 is per pod IP there, shared here.
      line.set(line.indexOf("-cluster-port") + 1, String.valueOf(eventBusPort));
    }
    return new PodLaunch(podName, line, env, files);
  }

  /** The port the environment gives a variable, or -1. */
  int envPort(String name) {
    String value = env.get(name);
    return value == null ? -1 : Integer.parseInt(value);
  }

  static Path write(Path file, String content) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, content, StandardCharsets.UTF_8);
      return file.toAbsolutePath();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
