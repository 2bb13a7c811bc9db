package io.github.switchboard.deploycheck;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapEnvSource;
import io.fabric8.kubernetes.api.model.ConfigMapProjection;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.CrossVersionObjectReference;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.github.switchboard.gateway.config.GatewayOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Everything that makes a manifest set wrong for Switchboard although {@code kubectl apply}
 * may accept it: unknown fields, Services and probes that point at nothing, references to
 * ConfigMaps or keys that do not exist, a grace period shorter than the gateway's drain, a
 * single replica, missing resources, broken cluster settings. {@link #check} returns one line
 * per problem ("file: what is wrong"); an empty list means none was found.
 */
final class ManifestChecker {

  /** The HTTP paths the gateway serves that a probe may use (see HealthRoutes). */
  static final Set<String> PROBE_PATHS = Set.of("/health/live", "/health/ready");
  static final int MIN_REPLICAS = 2;
  /** Kubernetes' default terminationGracePeriodSeconds. */
  static final long DEFAULT_GRACE_SECONDS = 30;
  /** Field values the checker assumes when it works out a container's environment. */
  static final Map<String, String> FIELDS = Map.of("metadata.name", "pod-0", "metadata.namespace", "default",
    "metadata.uid", "00000000-0000-0000-0000-000000000000", "spec.nodeName", "node-0", "spec.serviceAccountName", "default",
    "status.hostIP", "10.0.0.1", "status.hostIPs", "10.0.0.1", "status.podIP", "10.1.0.1", "status.podIPs", "10.1.0.1");
  private static final Pattern PORT_NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?");
  private static final Pattern VAR_ONLY = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");

  private final Manifests manifests;
  private final List<String> problems = new ArrayList<>();
  private final Map<HasMetadata, String> sources = new IdentityHashMap<>();

  private ManifestChecker(Manifests manifests) {
    this.manifests = manifests;
    manifests.all().forEach(m -> sources.put(m.object(), m.source()));
  }

  static List<String> check(Manifests manifests) {
    ManifestChecker checker = new ManifestChecker(manifests);
    checker.run();
    // A shared object (the discovery Service) is reported once, not once per Deployment using it.
    return List.copyOf(new java.util.LinkedHashSet<>(checker.problems));
  }

  private void run() {
    problems.addAll(manifests.problems());
    UnknownFields unknown = new UnknownFields(Manifests.YAML);
    manifests.all().forEach(m -> unknown.check(m.object(), m.source(), problems));
    names();
    for (Component component : Component.values()) {
      long count = manifests.all(Deployment.class).stream()
        .filter(d -> Manifests.containers(d).stream().anyMatch(component::runs)).count();
      if (count != 1) {
        problems.add("k8s: " + count + " Deployments run " + component.imagePath() + "; expected exactly one");
      }
    }
    manifests.all(Deployment.class).forEach(this::deployment);
    manifests.all(Service.class).forEach(this::service);
    manifests.all(HorizontalPodAutoscaler.class).forEach(this::autoscaler);
    clusterNames();
  }

  /** Every clustered process must name the same Hazelcast cluster, or they form several. */
  private void clusterNames() {
    Map<String, List<String>> byName = new java.util.TreeMap<>();
    for (Deployment d : manifests.all(Deployment.class)) {
      for (Container c : Manifests.containers(d)) {
        if (Component.commandLine(c).contains("-cluster")) {
          String name = PodFiles.environment(manifests, c, FIELDS, new ArrayList<>())
            .getOrDefault("SWITCHBOARD_CLUSTER_NAME", "switchboard");
          byName.computeIfAbsent(name, k -> new ArrayList<>()).add(where(d));
        }
      }
    }
    if (byName.size() > 1) {
      problems.add("k8s: the clustered Deployments name different clusters and would not meet: " + byName);
    }
  }

  private String where(HasMetadata object) {
    return sources.getOrDefault(object, "?") + " " + object.getKind() + "/" + Manifests.name(object);
  }

  private void names() {
    Set<String> seen = new HashSet<>();
    for (Manifests.Manifest m : manifests.all()) {
      HasMetadata o = m.object();
      if (o.getMetadata() == null || o.getMetadata().getName() == null || o.getMetadata().getName().isBlank()) {
        problems.add(m.source() + ": " + o.getKind() + " has no metadata.name");
        continue;
      }
      if (o.getMetadata().getNamespace() != null) {
        problems.add(where(o) + ": sets metadata.namespace; the manifests are namespace-less (kubectl apply -n <ns> -f k8s)");
      }
      if (!seen.add(o.getKind() + "/" + o.getMetadata().getName())) {
        problems.add(where(o) + ": defined twice");
      }
    }
  }

  // ---------------------------------------------------------------- Deployments

  private void deployment(Deployment d) {
    String at = where(d);
    if (d.getSpec() == null || d.getSpec().getTemplate() == null || d.getSpec().getTemplate().getSpec() == null) {
      problems.add(at + ": has no spec.template.spec");
      return;
    }
    Map<String, String> labels = podLabels(d);
    Map<String, String> match = d.getSpec().getSelector() == null ? null : d.getSpec().getSelector().getMatchLabels();
    if (match == null || match.isEmpty()) {
      problems.add(at + ": spec.selector.matchLabels is empty");
    } else if (!labels.entrySet().containsAll(match.entrySet())) {
      problems.add(at + ": spec.selector.matchLabels " + match + " does not match the pod template labels " + labels);
    }
    PodSpec pod = d.getSpec().getTemplate().getSpec();
    List<Container> containers = Manifests.containers(d);
    if (containers.isEmpty()) {
      problems.add(at + ": has no containers");
    }
    boolean isComponent = containers.stream().anyMatch(c -> Component.of(c) != null);
    if (!isComponent) {
      problems.add(at + ": runs none of " + List.of(Component.values()) + " (java -jar " + Component.IMAGE_DIR + "<jar>)");
    } else {
      Integer replicas = d.getSpec().getReplicas();
      if (replicas == null || replicas < MIN_REPLICAS) {
        problems.add(at + ": replicas is " + (replicas == null ? "not set (1)" : replicas) + "; at least " + MIN_REPLICAS
          + " so that one pod can go without an outage");
      }
    }
    volumes(at, pod);
    for (Container c : containers) {
      container(at + " container " + c.getName(), d, pod, c);
    }
  }

  private void volumes(String at, PodSpec pod) {
    for (Volume v : pod.getVolumes() == null ? List.<Volume>of() : pod.getVolumes()) {
      if (v.getConfigMap() != null) {
        configMapReference(at + " volume " + v.getName(), v.getConfigMap().getName(), v.getConfigMap().getItems());
      }
      if (v.getSecret() != null) {
        secretReference(at + " volume " + v.getName(), v.getSecret().getSecretName(), v.getSecret().getOptional());
      }
      if (v.getProjected() != null && v.getProjected().getSources() != null) {
        for (VolumeProjection p : v.getProjected().getSources()) {
          ConfigMapProjection c = p.getConfigMap();
          if (c != null) {
            configMapReference(at + " volume " + v.getName(), c.getName(), c.getItems());
          }
          if (p.getSecret() != null) {
            secretReference(at + " volume " + v.getName(), p.getSecret().getName(), p.getSecret().getOptional());
          }
        }
      }
    }
  }

  /**
   * The manifests create no Secret (the operator does, or not): like a secretKeyRef, a Secret
   * volume must be optional, or the pods wait in ContainerCreating until someone creates it.
   */
  private void secretReference(String at, String name, Boolean optional) {
    if (!Boolean.TRUE.equals(optional)) {
      problems.add(at + ": needs Secret " + name + ", which the manifests do not create: mark it optional: true"
        + " or pods will not start");
    }
  }

  private void configMapReference(String at, String name, List<KeyToPath> items) {
    Optional<ConfigMap> map = manifests.configMap(name);
    if (map.isEmpty()) {
      problems.add(at + ": ConfigMap " + name + " is not in the manifests");
      return;
    }
    for (KeyToPath item : items == null ? List.<KeyToPath>of() : items) {
      if (!PodFiles.data(map.get()).containsKey(item.getKey())) {
        problems.add(at + ": ConfigMap " + name + " has no key " + item.getKey());
      }
    }
  }

  private void container(String at, Deployment d, PodSpec pod, Container c) {
    Component component = Component.of(c);
    if (c.getImage() == null || !c.getImage().contains(":") || c.getImage().endsWith(":latest")) {
      problems.add(at + ": image '" + c.getImage() + "' needs an explicit version tag");
    }
    resources(at, c.getResources());
    ports(at, c);

    List<String> envProblems = new ArrayList<>();
    Map<String, String> env = PodFiles.environment(manifests, c, FIELDS, envProblems);
    envProblems.forEach(p -> problems.add(at + ": " + p));
    for (EnvFromSource from : c.getEnvFrom() == null ? List.<EnvFromSource>of() : c.getEnvFrom()) {
      ConfigMapEnvSource ref = from.getConfigMapRef();
      if (ref != null && manifests.configMap(ref.getName()).isEmpty()) {
        problems.add(at + ": envFrom ConfigMap " + ref.getName() + " is not in the manifests");
      }
      if (from.getSecretRef() != null && !Boolean.TRUE.equals(from.getSecretRef().getOptional())) {
        problems.add(at + ": envFrom Secret " + from.getSecretRef().getName() + " is not in the manifests and not optional");
      }
    }
    List<String> line = Component.commandLine(c);
    for (String word : line) {
      List<String> unresolved = new ArrayList<>();
      PodFiles.expand(word, env, unresolved);
      unresolved.forEach(v -> problems.add(at + ": command/args use $(" + v + "), which is not an env var of the container"));
    }
    for (VolumeMount mount : c.getVolumeMounts() == null ? List.<VolumeMount>of() : c.getVolumeMounts()) {
      if (PodFiles.volume(pod, mount.getName()) == null) {
        problems.add(at + ": volumeMount " + mount.getName() + " names no volume of the pod");
      }
    }
    // A file named by a *_FILE variable (SWITCHBOARD_HISTORY_DB_PASSWORD_FILE) is read only when
    // its feature is on, so a wrong path would go unnoticed until an operator creates the Secret.
    env.forEach((name, value) -> {
      if (name.endsWith("_FILE") && value.startsWith("/") && PodFiles.file(manifests, pod, c, value).isEmpty()
        && PodFiles.secretFile(pod, c, value).isEmpty()) {
        problems.add(at + ": " + name + " " + value + " is no file of a ConfigMap or Secret mount");
      }
    });

    probes(at, component, c);
    if (line.contains("-cluster")) {
      cluster(at, d, pod, c, env, line);
    }
    if (component == Component.GATEWAY) {
      gateway(at, d, pod, c, env, line);
    }
  }

  private void resources(String at, ResourceRequirements r) {
    Map<String, Quantity> requests = r == null || r.getRequests() == null ? Map.of() : r.getRequests();
    Map<String, Quantity> limits = r == null || r.getLimits() == null ? Map.of() : r.getLimits();
    for (String resource : List.of("cpu", "memory")) {
      Quantity request = requests.get(resource);
      Quantity limit = limits.get(resource);
      if (request == null) {
        problems.add(at + ": resources.requests." + resource + " is missing");
      }
      if (limit == null) {
        problems.add(at + ": resources.limits." + resource + " is missing");
      }
      if (request != null && limit != null) {
        try {
          if (Quantity.getAmountInBytes(request).compareTo(Quantity.getAmountInBytes(limit)) > 0) {
            problems.add(at + ": " + resource + " request " + request + " is above its limit " + limit);
          }
        } catch (RuntimeException e) {
          problems.add(at + ": " + resource + " quantity is not valid: " + request + " / " + limit);
        }
      }
    }
  }

  private void ports(String at, Container c) {
    Set<String> names = new HashSet<>();
    Set<Integer> numbers = new HashSet<>();
    for (ContainerPort p : ports(c)) {
      if (p.getContainerPort() == null) {
        problems.add(at + ": a port has no containerPort");
      } else if (!numbers.add(p.getContainerPort())) {
        problems.add(at + ": containerPort " + p.getContainerPort() + " declared twice");
      }
      if (p.getName() != null && (!PORT_NAME.matcher(p.getName()).matches() || !p.getName().matches(".*[a-z].*"))) {
        problems.add(at + ": port name '" + p.getName() + "' is not a valid IANA service name (lowercase, 1-15 chars)");
      }
      if (p.getName() != null && !names.add(p.getName())) {
        problems.add(at + ": port name " + p.getName() + " declared twice");
      }
    }
  }

  private static List<ContainerPort> ports(Container c) {
    return c.getPorts() == null ? List.of() : c.getPorts();
  }

  /** The declared port a probe or Service port refers to, by name or number. */
  private static Optional<ContainerPort> port(Container c, IntOrString ref) {
    if (ref == null) {
      return Optional.empty();
    }
    return ports(c).stream().filter(p -> ref.getStrVal() != null
      ? ref.getStrVal().equals(p.getName())
      : Objects.equals(ref.getIntVal(), p.getContainerPort())).findFirst();
  }

  private void probes(String at, Component component, Container c) {
    if (c.getLivenessProbe() == null) {
      problems.add(at + ": has no livenessProbe");
    }
    if (c.getReadinessProbe() == null) {
      problems.add(at + ": has no readinessProbe");
    }
    Map<String, Probe> probes = new HashMap<>();
    probes.put("livenessProbe", c.getLivenessProbe());
    probes.put("readinessProbe", c.getReadinessProbe());
    probes.put("startupProbe", c.getStartupProbe());
    probes.forEach((kind, probe) -> {
      if (probe == null) {
        return;
      }
      String p = at + " " + kind;
      if (probe.getHttpGet() != null) {
        if (component == null || !component.servesHttp()) {
          String healthPort = c.getEnv() == null ? null : c.getEnv().stream()
            .filter(e -> "SWITCHBOARD_HEALTH_PORT".equals(e.getName())).map(e -> e.getValue()).findFirst().orElse(null);
          String probed = port(c, probe.getHttpGet().getPort()).map(cp -> String.valueOf(cp.getContainerPort())).orElse("?");
          if (healthPort == null) {
            problems.add(p + ": httpGet, but " + (component == null ? "this container" : component.jar())
              + " serves no HTTP without SWITCHBOARD_HEALTH_PORT; set it or use tcpSocket");
          } else if (!healthPort.equals(probed)) {
            problems.add(p + ": httpGet on port " + probed + ", but SWITCHBOARD_HEALTH_PORT is " + healthPort);
          }
        }
        if (!PROBE_PATHS.contains(probe.getHttpGet().getPath())) {
          problems.add(p + ": path " + probe.getHttpGet().getPath() + " is not served by the gateway (use one of "
            + PROBE_PATHS + ")");
        }
        if (port(c, probe.getHttpGet().getPort()).isEmpty()) {
          problems.add(p + ": port " + probe.getHttpGet().getPort().getValue() + " is not a declared container port");
        }
      } else if (probe.getTcpSocket() != null) {
        if (port(c, probe.getTcpSocket().getPort()).isEmpty()) {
          problems.add(p + ": port " + probe.getTcpSocket().getPort().getValue() + " is not a declared container port");
        }
      } else {
        problems.add(p + ": neither httpGet nor tcpSocket (the image has no tools for exec, and no gRPC health)");
      }
    });
  }

  /** -cluster: Hazelcast and the event bus must be reachable from the other pods. */
  private void cluster(String at, Deployment d, PodSpec pod, Container c, Map<String, String> env, List<String> line) {
    String host = PodFiles.argument(line, "-cluster-host");
    var hostVar = host == null ? null : VAR_ONLY.matcher(host);
    if (hostVar == null || !hostVar.matches() || !podIpVar(c, hostVar.group(1))) {
      problems.add(at + ": -cluster-host must be $(VAR) of an env var with fieldRef status.podIP (got " + host + ")");
    }
    String busPort = PodFiles.argument(line, "-cluster-port");
    if (busPort == null || ports(c).stream().noneMatch(p -> busPort.equals(String.valueOf(p.getContainerPort())))) {
      problems.add(at + ": -cluster-port " + busPort + " must be set and be a declared containerPort (the event bus)");
    }
    String hazelcastPort = env.getOrDefault("SWITCHBOARD_CLUSTER_PORT", "5701");
    if (ports(c).stream().noneMatch(p -> hazelcastPort.equals(String.valueOf(p.getContainerPort())))) {
      problems.add(at + ": Hazelcast port " + hazelcastPort + " is not a declared containerPort");
    }
    String config = env.get("SWITCHBOARD_CLUSTER_CONFIG");
    if (config != null && PodFiles.file(manifests, pod, c, config).isEmpty()) {
      problems.add(at + ": SWITCHBOARD_CLUSTER_CONFIG " + config + " is no file from a ConfigMap mount; start-up would fail");
    }
    String discovery = env.getOrDefault("SWITCHBOARD_CLUSTER_DISCOVERY", "tcp-ip");
    if (!discovery.equals("kubernetes")) {
      problems.add(at + ": SWITCHBOARD_CLUSTER_DISCOVERY is " + discovery
        + "; in Kubernetes pods find each other with 'kubernetes' (the headless Service)");
      return;
    }
    String dns = c.getEnv().stream().filter(e -> e.getName().equals("SWITCHBOARD_CLUSTER_K8S_SERVICE_DNS"))
      .map(e -> e.getValue()).filter(Objects::nonNull).findFirst().orElse(null);
    if (dns == null || dns.isBlank()) {
      problems.add(at + ": kubernetes discovery needs SWITCHBOARD_CLUSTER_K8S_SERVICE_DNS (a plain value)");
      return;
    }
    String[] labels = dns.split("\\.");
    if (labels.length > 1 && !VAR_ONLY.matcher(labels[1]).matches()) {
      problems.add(at + ": SWITCHBOARD_CLUSTER_K8S_SERVICE_DNS " + dns
        + " hard-codes a namespace; use $(POD_NAMESPACE) from fieldRef metadata.namespace");
    }
    Optional<Service> service = manifests.all(Service.class).stream()
      .filter(s -> labels[0].equals(Manifests.name(s))).findFirst();
    if (service.isEmpty()) {
      problems.add(at + ": SWITCHBOARD_CLUSTER_K8S_SERVICE_DNS names Service " + labels[0] + ", which is not in the manifests");
      return;
    }
    Service s = service.get();
    if (s.getSpec() == null || !"None".equals(s.getSpec().getClusterIP())) {
      problems.add(where(s) + ": discovery Service must be headless (clusterIP: None) so its name resolves to the pod IPs");
    }
    if (s.getSpec() == null || !Boolean.TRUE.equals(s.getSpec().getPublishNotReadyAddresses())) {
      problems.add(where(s) + ": discovery Service needs publishNotReadyAddresses: true (pods join before they are ready)");
    }
    if (!selects(s, d)) {
      problems.add(where(s) + ": discovery Service does not select the pods of " + where(d));
    }
    if (s.getSpec() != null && s.getSpec().getPorts() != null
      && s.getSpec().getPorts().stream().noneMatch(p -> hazelcastPort.equals(String.valueOf(p.getPort())))) {
      problems.add(where(s) + ": discovery Service has no port " + hazelcastPort + " (Hazelcast)");
    }
  }

  private static boolean podIpVar(Container c, String name) {
    return c.getEnv() != null && c.getEnv().stream().anyMatch(e -> e.getName().equals(name) && e.getValueFrom() != null
      && e.getValueFrom().getFieldRef() != null && "status.podIP".equals(e.getValueFrom().getFieldRef().getFieldPath()));
  }

  /** The gateway's config, its port and its drain time against the grace period. */
  private void gateway(String at, Deployment d, PodSpec pod, Container c, Map<String, String> env, List<String> line) {
    JsonObject config = new JsonObject();
    String conf = PodFiles.argument(line, "-conf");
    if (conf != null) {
      Optional<PodFiles.ConfigFile> file = PodFiles.file(manifests, pod, c, conf);
      if (file.isEmpty()) {
        problems.add(at + ": -conf " + conf + " is no file from a ConfigMap mount; start-up would fail");
        return;
      }
      try {
        config = new JsonObject(file.get().content());
      } catch (DecodeException e) {
        problems.add(at + ": " + file.get().configMap() + "/" + file.get().key() + " is not a JSON object: " + e.getMessage());
        return;
      }
    }
    GatewayOptions options;
    try {
      options = GatewayOptions.from(config, env);
    } catch (RuntimeException e) {
      problems.add(at + ": the gateway would refuse its config: " + e.getMessage());
      return;
    }
    Optional<ContainerPort> http = ports(c).stream().filter(p -> "http".equals(p.getName())).findFirst();
    if (http.isEmpty() || http.get().getContainerPort() != options.server().port()) {
      problems.add(at + ": the gateway listens on " + options.server().port() + " but the port named http is "
        + http.map(ContainerPort::getContainerPort).orElse(null));
    }
    long preStopMs = preStopSleepMs(c);
    Long grace = pod.getTerminationGracePeriodSeconds();
    long graceMs = (grace == null ? DEFAULT_GRACE_SECONDS : grace) * 1000;
    if (graceMs <= options.server().drainTimeoutMs() + preStopMs) {
      problems.add(at + ": terminationGracePeriodSeconds " + (grace == null ? "(default) " + DEFAULT_GRACE_SECONDS : grace)
        + " is not longer than the preStop sleep (" + preStopMs + " ms) plus the drain time (drainTimeoutMs "
        + options.server().drainTimeoutMs() + "): the kubelet would kill gateways mid-drain");
    }
  }

  private static long preStopSleepMs(Container c) {
    LifecycleHandler preStop = c.getLifecycle() == null ? null : c.getLifecycle().getPreStop();
    if (preStop == null) {
      return 0;
    }
    if (preStop.getSleep() != null && preStop.getSleep().getSeconds() != null) {
      return preStop.getSleep().getSeconds() * 1000;
    }
    if (preStop.getExec() != null && preStop.getExec().getCommand() != null) {
      List<String> command = preStop.getExec().getCommand();
      if (command.size() == 2 && command.get(0).endsWith("sleep")) {
        try {
          return (long) (Double.parseDouble(command.get(1)) * 1000);
        } catch (NumberFormatException ignored) {
          // not a plain sleep: counted as 0
        }
      }
    }
    return 0;
  }

  // ---------------------------------------------------------------- Services

  private static Map<String, String> podLabels(Deployment d) {
    var metadata = d.getSpec() == null || d.getSpec().getTemplate() == null ? null : d.getSpec().getTemplate().getMetadata();
    return metadata == null || metadata.getLabels() == null ? Map.of() : metadata.getLabels();
  }

  private static boolean selects(Service s, Deployment d) {
    Map<String, String> selector = s.getSpec() == null ? null : s.getSpec().getSelector();
    return selector != null && !selector.isEmpty() && podLabels(d).entrySet().containsAll(selector.entrySet());
  }

  private void service(Service s) {
    String at = where(s);
    if (s.getSpec() == null || s.getSpec().getSelector() == null || s.getSpec().getSelector().isEmpty()) {
      problems.add(at + ": has no selector, so it selects no pods");
      return;
    }
    List<Deployment> selected = manifests.all(Deployment.class).stream().filter(d -> selects(s, d)).toList();
    if (selected.isEmpty()) {
      problems.add(at + ": selector " + s.getSpec().getSelector() + " matches the pods of no Deployment");
      return;
    }
    if (s.getSpec().getPorts() == null || s.getSpec().getPorts().isEmpty()) {
      problems.add(at + ": has no ports");
      return;
    }
    for (ServicePort p : s.getSpec().getPorts()) {
      IntOrString target = p.getTargetPort() != null ? p.getTargetPort() : new IntOrString(p.getPort());
      for (Deployment d : selected) {
        if (Manifests.containers(d).stream().allMatch(c -> port(c, target).isEmpty())) {
          problems.add(at + ": targetPort " + target.getValue() + " of port " + p.getPort()
            + " is exposed by no container of " + where(d));
        }
      }
    }
  }

  // ---------------------------------------------------------------- Autoscalers

  private void autoscaler(HorizontalPodAutoscaler h) {
    String at = where(h);
    if (h.getSpec() == null) {
      problems.add(at + ": has no spec");
      return;
    }
    CrossVersionObjectReference target = h.getSpec().getScaleTargetRef();
    boolean found = target != null && "Deployment".equals(target.getKind()) && "apps/v1".equals(target.getApiVersion())
      && manifests.all(Deployment.class).stream().anyMatch(d -> target.getName().equals(Manifests.name(d)));
    if (!found) {
      problems.add(at + ": scaleTargetRef " + (target == null ? null : target.getApiVersion() + " " + target.getKind() + "/"
        + target.getName()) + " is not a Deployment of the manifests");
    }
    Integer min = h.getSpec().getMinReplicas();
    if (min == null || min < MIN_REPLICAS) {
      problems.add(at + ": minReplicas is " + (min == null ? "not set (1)" : min) + "; at least " + MIN_REPLICAS);
    }
    Integer max = h.getSpec().getMaxReplicas();
    if (max == null || (min != null && max < min)) {
      problems.add(at + ": maxReplicas " + max + " is below minReplicas " + min);
    }
    if (h.getSpec().getMetrics() == null || h.getSpec().getMetrics().isEmpty()) {
      problems.add(at + ": has no metrics");
    }
  }
}
