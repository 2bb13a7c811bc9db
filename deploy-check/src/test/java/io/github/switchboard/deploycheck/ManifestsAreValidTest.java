package io.github.switchboard.deploycheck;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * The manifests in k8s/ parsed strictly with the fabric8 model and checked for consistency
 * (see {@link ManifestChecker}); then, so that the checks cannot pass by checking nothing, the
 * same manifests with one deliberate mistake each must be refused.
 */
class ManifestsAreValidTest {

  static final Path K8S = Path.of("..", "k8s");
  static final Path REPO_CLUSTER_XML = Path.of("..", "cluster.xml");

  @Test
  void theManifestsHaveNoProblems() {
    List<String> problems = ManifestChecker.check(Manifests.load(K8S));
    assertThat(problems).as(String.join("\n", problems)).isEmpty();
  }

  @Test
  void everyPartOfTheDeploymentIsThere() {
    Manifests manifests = Manifests.load(K8S);
    for (Component component : Component.values()) {
      assertThat(manifests.deployment(component)).as("Deployment running %s", component.jar()).isPresent();
    }
    Deployment gateway = manifests.deployment(Component.GATEWAY).orElseThrow();
    assertThat(manifests.all(Service.class)).as("a headless Service for discovery")
      .anySatisfy(s -> assertThat(s.getSpec().getClusterIP()).isEqualTo("None"));
    assertThat(manifests.all(Service.class)).as("a Service in front of the gateways")
      .anySatisfy(s -> assertThat(gateway.getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(s.getSpec().getSelector())
        .doesNotContainEntry("app.kubernetes.io/component", "chat"));
    assertThat(manifests.all(HorizontalPodAutoscaler.class)).as("an autoscaler of the gateways")
      .anySatisfy(h -> assertThat(h.getSpec().getScaleTargetRef().getName()).isEqualTo(gateway.getMetadata().getName()));
    assertThat(manifests.all(ConfigMap.class).stream().flatMap(c -> PodFiles.data(c).keySet().stream()))
      .contains("gateway.json", "cluster.xml");
  }

  @Test
  void theClusterXmlInTheConfigMapIsTheRepositorysClusterXml() throws IOException {
    List<ConfigMap> holders = Manifests.load(K8S).all(ConfigMap.class).stream()
      .filter(c -> PodFiles.data(c).containsKey("cluster.xml")).toList();
    assertThat(holders).as("ConfigMaps with a cluster.xml key").isNotEmpty();
    String repository = Files.readString(REPO_CLUSTER_XML, StandardCharsets.UTF_8);
    for (ConfigMap holder : holders) {
      assertThat(PodFiles.data(holder).get("cluster.xml"))
        .as("cluster.xml of ConfigMap %s must equal %s; regenerate it with "
          + "`kubectl create configmap %s --from-file=cluster.xml --dry-run=client -o yaml`",
          holder.getMetadata().getName(), REPO_CLUSTER_XML, holder.getMetadata().getName())
        .isEqualTo(repository);
    }
  }

  @Test
  void thereIsNoKustomizationInK8s() {
    for (String name : List.of("kustomization.yaml", "kustomization.yml", "Kustomization")) {
      assertThat(K8S.resolve(name)).as("a kustomization breaks `kubectl apply -f k8s`").doesNotExist();
    }
  }

  /** A whole broken file, written as someone might: every mistake must be named. */
  @Test
  void aBrokenManifestIsRefused() {
    String broken = """
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: broken
      spec:
        replicaz: 3
        selector:
          matchLabels:
            app: broken
        template:
          metadata:
            labels:
              app: broken
          spec:
            containers:
              - name: gateway
                image: switchboard:0.1.0
                command: ["java", "-jar", "/app/gateway-fat.jar"]
                ports:
                  - name: http
                    containerPort: 8080
                livenessProbe:
                  httpGet:
                    path: /healthz
                    port: http
                readinesProbe:
                  httpGet:
                    path: /health/ready
                    port: http
      ---
      apiVersion: v1
      kind: Service
      metadata:
        name: broken
      spec:
        selector:
          app: brokn
        ports:
          - port: 80
            targetPort: http
      """;
    List<String> problems = ManifestChecker.check(Manifests.loadWith(K8S, "broken.yaml", broken));
    assertThat(problems).as(String.join("\n", problems))
      .anyMatch(p -> p.contains("broken.yaml") && p.contains("unknown field(s) [replicaz] at spec"))
      .anyMatch(p -> p.contains("unknown field(s) [readinesProbe]"))
      .anyMatch(p -> p.contains("Deployment/broken: replicas is not set"))
      .anyMatch(p -> p.contains("path /healthz is not served"))
      .anyMatch(p -> p.contains("Deployment/broken container gateway: has no readinessProbe"))
      .anyMatch(p -> p.contains("Deployment/broken container gateway: resources.requests.memory is missing"))
      .anyMatch(p -> p.contains("Service/broken: selector {app=brokn} matches the pods of no Deployment"))
      .anyMatch(p -> p.contains("2 Deployments run /app/gateway-fat.jar"));
  }

  static Stream<Arguments> oneMistakeEach() {
    return Stream.of(
      arguments("misspelled field", "gateway-deployment.yaml", "\n  replicas: 2\n", "\n  replicaz: 2\n",
        "unknown field(s) [replicaz] at spec"),
      arguments("misspelled nested field", "chat-deployment.yaml", "livenessProbe:", "livenesProbe:",
        "unknown field(s) [livenesProbe] at spec.template.spec.containers[0]"),
      arguments("key given twice", "simulator-deployment.yaml", "\n  replicas: 2\n", "\n  replicas: 2\n  replicas: 3\n",
        "Duplicate field 'replicas'"),
      arguments("number where a string is needed", "gateway-deployment.yaml", "\"-cluster-port\", \"5702\"]",
        "\"-cluster-port\", 5702]", "not a valid Deployment"),
      arguments("Service selecting nothing", "gateway-service.yaml", "app.kubernetes.io/component: gateway\n  ports:",
        "app.kubernetes.io/component: gatway\n  ports:", "matches the pods of no Deployment"),
      arguments("Service targetPort nobody exposes", "gateway-service.yaml", "targetPort: http", "targetPort: web",
        "targetPort web of port 80 is exposed by no container"),
      arguments("Service targetPort number nobody exposes", "hazelcast-headless-service.yaml", "targetPort: hazelcast",
        "targetPort: 5801", "targetPort 5801 of port 5701 is exposed by no container"),
      arguments("probe path the gateway does not serve", "gateway-deployment.yaml", "path: /health/ready",
        "path: /healthz", "path /healthz is not served by the gateway"),
      arguments("HTTP probe on a port the service does not serve", "chat-deployment.yaml",
        "livenessProbe:\n            httpGet:\n              path: /health/live\n              port: health",
        "livenessProbe:\n            httpGet:\n              path: /health/live\n              port: hazelcast",
        "but SWITCHBOARD_HEALTH_PORT is 8081"),
      arguments("HTTP probe on a service without its health port", "simulator-deployment.yaml",
        "- name: SWITCHBOARD_HEALTH_PORT", "- name: SWITCHBOARD_HEALTH_PORT_UNUSED",
        "serves no HTTP without SWITCHBOARD_HEALTH_PORT"),
      arguments("probe on an undeclared port", "simulator-deployment.yaml",
        "readinessProbe:\n            httpGet:\n              path: /health/ready\n              port: health",
        "readinessProbe:\n            httpGet:\n              path: /health/ready\n              port: 5799",
        "port 5799 is not a declared container port"),
      arguments("missing ConfigMap key", "gateway-deployment.yaml", "- key: gateway.json", "- key: gateway.yaml",
        "ConfigMap switchboard-gateway has no key gateway.yaml"),
      arguments("missing ConfigMap", "chat-deployment.yaml", "name: switchboard-cluster", "name: switchboard-clustr",
        "ConfigMap switchboard-clustr is not in the manifests"),
      arguments("grace period not longer than the drain", "gateway-deployment.yaml",
        "terminationGracePeriodSeconds: 30", "terminationGracePeriodSeconds: 15", "is not longer than the preStop sleep"),
      arguments("drain time raised in the ConfigMap", "gateway-configmap.yaml", "\"drainTimeoutMs\": 10000",
        "\"drainTimeoutMs\": 40000", "drainTimeoutMs 40000"),
      arguments("one replica", "simulator-deployment.yaml", "replicas: 2", "replicas: 1", "replicas is 1"),
      arguments("missing memory limit", "chat-deployment.yaml", "cpu: \"1\"\n              memory: 512Mi",
        "cpu: \"1\"", "resources.limits.memory is missing"),
      arguments("discovery Service not headless", "hazelcast-headless-service.yaml", "  clusterIP: None\n", "\n",
        "must be headless"),
      arguments("not-ready pods not published", "hazelcast-headless-service.yaml", "publishNotReadyAddresses: true",
        "publishNotReadyAddresses: false", "publishNotReadyAddresses: true"),
      arguments("discovery left on tcp-ip", "simulator-deployment.yaml", "value: kubernetes", "value: tcp-ip",
        "SWITCHBOARD_CLUSTER_DISCOVERY is tcp-ip"),
      arguments("event bus port not declared", "chat-deployment.yaml", "\"-cluster-port\", \"5702\"",
        "\"-cluster-port\", \"5703\"", "-cluster-port 5703 must be set and be a declared containerPort"),
      arguments("undefined variable in args", "gateway-deployment.yaml", "\"$(POD_IP)\"", "\"$(POD_ID)\"",
        "$(POD_ID), which is not an env var"),
      arguments("cluster config path nobody mounts", "simulator-deployment.yaml", "value: /cluster/cluster.xml",
        "value: /etc/cluster.xml", "SWITCHBOARD_CLUSTER_CONFIG /etc/cluster.xml is no file from a ConfigMap mount"),
      arguments("gateway config the gateway refuses", "gateway-configmap.yaml", "\"maxSubscriptions\": 100",
        "\"maxSubscriptions\": 0", "the gateway would refuse its config"),
      arguments("gateway port not the http port", "gateway-configmap.yaml", "\"port\": 8080", "\"port\": 9090",
        "the gateway listens on 9090 but the port named http is 8080"),
      arguments("required Secret that nobody creates", "gateway-deployment.yaml", "optional: true", "optional: false",
        "needs Secret switchboard-api-key"),
      arguments("required Secret volume that nobody creates", "chat-deployment.yaml",
        "secretName: switchboard-history-db\n            optional: true",
        "secretName: switchboard-history-db\n            optional: false",
        "volume history-db: needs Secret switchboard-history-db"),
      arguments("password file outside its Secret mount", "simulator-deployment.yaml",
        "value: /secrets/history-db/password", "value: /secret/history-db/password",
        "SWITCHBOARD_HISTORY_DB_PASSWORD_FILE /secret/history-db/password is no file of a ConfigMap or Secret mount"),
      arguments("password file not among the Secret volume's items", "chat-deployment.yaml",
        "path: password", "path: db-password",
        "SWITCHBOARD_HISTORY_DB_PASSWORD_FILE /secrets/history-db/password is no file"),
      arguments("autoscaler of a missing Deployment", "gateway-hpa.yaml", "    name: switchboard-gateway\n  minReplicas",
        "    name: switchboard-gateways\n  minReplicas", "is not a Deployment of the manifests"),
      arguments("different cluster names", "chat-deployment.yaml", "value: switchboard\n", "value: chat\n",
        "name different clusters"),
      arguments("namespace in a manifest", "gateway-service.yaml", "  name: switchboard-gateway\n",
        "  name: switchboard-gateway\n  namespace: prod\n", "sets metadata.namespace"),
      arguments("kustomization next to the manifests", "kustomization.yaml", null,
        "resources:\n  - gateway-deployment.yaml\n", "a kustomization file makes `kubectl apply -f k8s` fail"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("oneMistakeEach")
  void aMistakeIsRefused(String mistake, String file, String from, String to, String expected) {
    String content;
    if (from == null) {
      content = to;
    } else {
      String original = read(K8S.resolve(file));
      assertThat(original).as("%s no longer contains the text this test changes; update the test", file).contains(from);
      content = original.replaceFirst(java.util.regex.Pattern.quote(from), java.util.regex.Matcher.quoteReplacement(to));
    }
    List<String> problems = ManifestChecker.check(Manifests.loadWith(K8S, file, content));
    assertThat(problems).as("problems found for '%s':\n%s", mistake, String.join("\n", problems))
      .anyMatch(p -> p.contains(expected));
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
