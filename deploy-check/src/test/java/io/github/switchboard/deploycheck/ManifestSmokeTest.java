package io.github.switchboard.deploycheck;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs what the Deployments in k8s/ describe, on this machine: two gateway pods, two chat pods
 * and two simulator pods (the replicas the manifests ask for: their quorum of three data
 * members needs three of the four) as processes started from the containers' own command, args and env
 * (see {@link PodLaunch} for the few overrides a single host needs), all at once as
 * {@code kubectl apply} would. Then both gateways must become ready and a chat message sent
 * on one gateway must reach a socket on the other, through the chat pod.
 * {@link ImageSmokeTest} runs the same pods in containers of the built image; where that test is
 * required ({@code SWITCHBOARD_IMAGE_CHECK=required}, CI) this one is skipped, with that reason:
 * the same six JVMs again would add about a minute to CI and prove nothing more.
 *
 * <p>Needs the fat jars: run {@code mvn package -DskipTests} (or {@code mvn verify} from the
 * root, which builds them first). Process output goes to {@code target/smoke/}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ManifestSmokeTest {

  private static final Logger log = LoggerFactory.getLogger(ManifestSmokeTest.class);

  private static final Path K8S = Path.of("..", "k8s");
  private static final Path WORK_DIR = Path.of("target", "smoke");
  /** Six JVMs joining one cluster on two shared cores; about 20 s when the machine is idle. */
  private static final Duration READY_DEADLINE = Duration.ofSeconds(120);

  private static final List<PodProcess> pods = new CopyOnWriteArrayList<>();
  private static SmokeClient client;
  private static int gateway1Port;
  private static int gateway2Port;
  private static long startedAt;

  @BeforeAll
  static void startThePods() throws IOException {
    Assumptions.assumeFalse("required".equalsIgnoreCase(System.getenv("SWITCHBOARD_IMAGE_CHECK")),
      "ImageSmokeTest is required here and starts the same pods from the image");
    for (Component component : Component.values()) {
      assertThat(component.builtJar())
        .as("%s is built by `mvn package -DskipTests` (or `mvn verify` from the root)", component.builtJar())
        .isRegularFile();
    }
    Files.createDirectories(WORK_DIR);
    Manifests manifests = Manifests.load(K8S);
    FreePorts ports = new FreePorts();
    int hazelcastBase = ports.block(10);
    gateway1Port = ports.port();
    gateway2Port = ports.port();
    PodLaunch.Host host = new PodLaunch.Host("smoke-" + UUID.randomUUID(), hazelcastBase, WORK_DIR, ports);
    startedAt = System.nanoTime();
    try {
      pods.add(PodProcess.start(manifests, Component.GATEWAY, "gateway-1", gateway1Port, ports.port(), host));
      pods.add(PodProcess.start(manifests, Component.GATEWAY, "gateway-2", gateway2Port, ports.port(), host));
      pods.add(PodProcess.start(manifests, Component.CHAT, "chat-1", 0, ports.port(), host));
      pods.add(PodProcess.start(manifests, Component.CHAT, "chat-2", 0, ports.port(), host));
      pods.add(PodProcess.start(manifests, Component.SIMULATOR, "simulator-1", 0, ports.port(), host));
      pods.add(PodProcess.start(manifests, Component.SIMULATOR, "simulator-2", 0, ports.port(), host));
    } catch (RuntimeException | AssertionError e) {
      stopThePods();
      throw e;
    }
    client = new SmokeClient(pods);
  }

  @AfterAll
  static void stopThePods() {
    pods.forEach(PodProcess::destroy);
    pods.clear();
    if (client != null) {
      client.close();
      client = null;
    }
  }

  @Test
  @Order(1)
  void bothGatewaysBecomeReady() {
    client.awaitReady(gateway1Port, READY_DEADLINE);
    client.awaitReady(gateway2Port, READY_DEADLINE);
    log.info("both gateways ready {} s after start", String.format("%.1f", (System.nanoTime() - startedAt) / 1e9));
  }

  @Test
  @Order(2)
  void aChatMessageCrossesFromOneGatewayToTheOther() throws InterruptedException {
    client.awaitReady(gateway1Port, READY_DEADLINE);
    client.awaitReady(gateway2Port, READY_DEADLINE);
    SmokeClient.RoundTrip trip = client.chatRoundTrip(gateway1Port, gateway2Port, "smoke");
    log.info("cross-gateway chat round trip in {} s ({} send attempt(s))", trip.seconds(), trip.attempts());
  }
}
