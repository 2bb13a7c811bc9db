package io.github.switchboard.deploycheck;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The container image, built from the repository's Dockerfile and started: what
 * {@code kubectl apply -f k8s} would run, on this machine, without a Docker daemon.
 *
 * <p>{@code deploy-check/image/build-image.sh} builds the image with buildah (base images made
 * with mmdebstrap, since no registry is reachable). Then, from that image, with buildah's chroot
 * isolation on the host network:
 * <ol>
 *   <li>the image runs as the manifests' non-root user and holds no build tools;</li>
 *   <li>the manifests, the Dockerfile and docs/kubernetes.md name the image that was built;</li>
 *   <li>its default command (no command given, as {@code docker run}) is the embedded gateway:
 *   ready, and a chat message goes round on {@code /ws/chat/<room>};</li>
 *   <li>the Deployments' pods (two gateways, two chat, two simulator: {@link PodLaunch}, the same
 *   reading of the manifests as {@link ManifestSmokeTest}) each in a container of their own:
 *   both gateways ready, and a chat message crosses from one to the other.</li>
 * </ol>
 *
 * <p>Skipped, with the reason, where buildah or mmdebstrap are missing or cannot run (not root,
 * not Linux); with {@code SWITCHBOARD_IMAGE_CHECK=required} (CI) that fails instead. Containers
 * are removed after each test, failed or not. Output: {@code target/image/}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ImageSmokeTest {

  private static final Logger log = LoggerFactory.getLogger(ImageSmokeTest.class);

  private static final Path REPO = Path.of("..");
  private static final Path K8S = REPO.resolve("k8s");
  private static final Path SCRIPT = Path.of("image", "build-image.sh");
  private static final Path WORK_DIR = Path.of("target", "image");
  /** The script's exit code for "this machine cannot build images" (its reason is printed). */
  private static final int CANNOT_RUN = 3;
  /**
   * A cold build on an idle 2-core machine: base images about 2 min, the Dockerfile about 1 min.
   * Far more here, so that a loaded machine does not fail it; a hung build still ends.
   */
  private static final Duration BUILD_DEADLINE = Duration.ofMinutes(20);
  /** Six JVMs joining one cluster on two shared cores (ManifestSmokeTest: about 20-45 s). */
  private static final Duration READY_DEADLINE = Duration.ofSeconds(180);
  private static final Pattern BUILT = Pattern.compile("^build-image: image (\\S+) id (\\S+) size (.+?) \\(");
  private static final String PREFIX = "build-image: ";
  /** What a runtime image must not hold: compilers, build tools, a JDK. */
  private static final List<String> BUILD_TOOLS = List.of("javac", "jar", "jlink", "jshell", "mvn", "gradle", "ant",
    "gcc", "cc", "make");

  private static final String RUN_ID = UUID.randomUUID().toString().substring(0, 8);
  private static final List<PodProcess> pods = new CopyOnWriteArrayList<>();
  private static final List<String> containers = new CopyOnWriteArrayList<>();
  private static Buildah buildah;
  private static SmokeClient client;
  /** The tag build-image.sh built, and the ID it got: containers are made from the ID. */
  private static String tag;
  private static String imageId;
  /** Why the image cannot be built on this machine, or null. */
  private static String skipReason;

  @BeforeAll
  static void buildTheImage() throws IOException, InterruptedException {
    boolean required = "required".equalsIgnoreCase(System.getenv("SWITCHBOARD_IMAGE_CHECK"));
    Files.createDirectories(WORK_DIR);
    Path buildLog = WORK_DIR.resolve("build-image.log");
    log.info("building the image: {} (output in {})", SCRIPT, buildLog.toAbsolutePath().normalize());
    long startedAt = System.nanoTime();
    Process process = new ProcessBuilder("bash", SCRIPT.toString()).redirectErrorStream(true)
      .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    List<String> summary = new CopyOnWriteArrayList<>();
    // The script's summary lines go to this test's log as they come (CI shows progress), all
    // of its output to the file.
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
           BufferedWriter out = Files.newBufferedWriter(buildLog, StandardCharsets.UTF_8)) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          out.write(line);
          out.newLine();
          if (line.startsWith(PREFIX)) {
            summary.add(line);
            log.info("{}", line);
          }
        }
      } catch (IOException e) {
        log.warn("reading build-image.sh's output: {}", e.getMessage());
      }
    }, "build-image-output");
    reader.setDaemon(true);
    reader.start();
    if (!process.waitFor(BUILD_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      fail("build-image.sh did not end within " + BUILD_DEADLINE + "; its output: " + buildLog);
    }
    reader.join(TimeUnit.SECONDS.toMillis(30));
    if (process.exitValue() == CANNOT_RUN) {
      String reason = summary.isEmpty() ? "(no reason printed)" : summary.get(summary.size() - 1).substring(PREFIX.length());
      if (required) {
        fail("SWITCHBOARD_IMAGE_CHECK=required, but the image cannot be built here: " + reason);
      }
      log.warn("image smoke test skipped: {}", reason);
      skipReason = "the image cannot be built here (" + reason + "); SWITCHBOARD_IMAGE_CHECK=required makes this a failure";
      return;
    }
    if (process.exitValue() != 0) {
      fail("build-image.sh exited with " + process.exitValue() + ":\n" + tail(buildLog));
    }
    for (String line : summary) {
      Matcher m = BUILT.matcher(line);
      if (m.find()) {
        tag = m.group(1);
        imageId = m.group(2);
      }
    }
    assertThat(tag).as("build-image.sh names the image it built (%s)", buildLog).isNotNull();
    log.info("image {} ({}) ready {} s after the build started", tag, imageId,
      String.format("%.0f", (System.nanoTime() - startedAt) / 1e9));
    buildah = new Buildah();
    client = new SmokeClient(pods);
  }

  /** Each test is reported as skipped, with the reason, rather than the class vanishing from the counts. */
  @BeforeEach
  void skipWhereNoImageCanBeBuilt() {
    Assumptions.assumeTrue(skipReason == null, skipReason);
  }

  @AfterEach
  void stopTheContainers() {
    long stoppingAt = System.nanoTime();
    int count = pods.size();
    // All at once: each pod waits for its buildah to end before its container is removed.
    List<Thread> stoppers = new ArrayList<>();
    for (PodProcess pod : pods) {
      Thread stopper = new Thread(pod::destroy, "stop-" + pod.name());
      stopper.start();
      stoppers.add(stopper);
    }
    for (Thread stopper : stoppers) {
      try {
        // destroy() itself gives up after 15 + 30 s; this only bounds the wait.
        stopper.join(TimeUnit.SECONDS.toMillis(60));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    pods.clear();
    if (count > 0) {
      log.info("stopped and removed {} container(s) in {} s", count, seconds(stoppingAt));
    }
    // Containers made but never started (a failure between the two) go too.
    if (buildah != null) {
      containers.forEach(buildah::remove);
    }
    containers.clear();
  }

  @AfterAll
  static void closeTheClient() {
    if (client != null) {
      client.close();
      client = null;
    }
  }

  @Test
  @Order(1)
  void theImageRunsAsTheManifestsNonRootUserWithoutBuildTools() {
    JsonObject config = buildah.imageConfig(imageId);
    String user = config.getString("User", "");
    Manifests manifests = Manifests.load(K8S);
    for (Component component : Component.values()) {
      PodSecurityContext security = manifests.deployment(component).orElseThrow().getSpec().getTemplate().getSpec()
        .getSecurityContext();
      assertThat(user).as("the image's USER against %s's runAsUser:runAsGroup", component)
        .isEqualTo(security.getRunAsUser() + ":" + security.getRunAsGroup());
    }

    String probe = buildah.create(imageId, "switchboard-image-" + RUN_ID + "-probe");
    try {
      Buildah.Result id = buildah.exec(probe, List.of("id", "-u"));
      assertThat(id.output()).as("uid inside the container").isEqualTo(user.split(":")[0]).isNotEqualTo("0");
      String lookFor = BUILD_TOOLS.stream().map(t -> "command -v " + t).collect(Collectors.joining("; "))
        + "; ls -d /usr/lib/jvm/*/jmods /usr/lib/jvm/*/lib/tools.jar /usr/share/maven 2>/dev/null; true";
      Buildah.Result tools = buildah.exec(probe, List.of("sh", "-c", lookFor));
      assertThat(tools.output()).as("build tools in the runtime image").isEmpty();
      Buildah.Result java = buildah.exec(probe, List.of("java", "-version"));
      assertThat(java.exitCode()).as("java -version: %s", java.output()).isZero();
      Buildah.Result jars = buildah.exec(probe, List.of("ls", Component.IMAGE_DIR));
      Set<String> expected = new TreeSet<>();
      for (Component component : Component.values()) {
        expected.add(component.jar());
      }
      assertThat(new TreeSet<>(List.of(jars.output().split("\\s+")))).as("jars in %s", Component.IMAGE_DIR)
        .containsAll(expected);
      log.info("image {} runs as uid {} ({} in the image, runAsUser in k8s/), {}; no {} inside",
        tag, id.output(), user, java.output().lines().findFirst().orElse("?"), String.join("/", BUILD_TOOLS));
    } finally {
      buildah.remove(probe);
    }
  }

  @Test
  @Order(2)
  void theManifestsTheDockerfileAndTheDocsNameTheImageBuilt() throws IOException {
    Manifests manifests = Manifests.load(K8S);
    Set<String> images = new TreeSet<>();
    for (Component component : Component.values()) {
      Deployment deployment = manifests.deployment(component).orElseThrow();
      for (Container container : Manifests.containers(deployment)) {
        images.add(container.getImage());
      }
    }
    assertThat(images).as("the images of the Deployments in k8s/").containsExactly(tag);
    Pattern documented = Pattern.compile("docker build -t (\\S+) \\.");
    for (Path file : List.of(REPO.resolve("Dockerfile"), REPO.resolve("docs").resolve("kubernetes.md"))) {
      Matcher m = documented.matcher(Files.readString(file, StandardCharsets.UTF_8));
      assertThat(m.find()).as("%s shows `docker build -t <image> .`", file).isTrue();
      assertThat(m.group(1)).as("the tag %s's build command gives", file).isEqualTo(tag);
    }
    log.info("k8s/, the Dockerfile and docs/kubernetes.md all name {}", tag);
  }

  @Test
  @Order(3)
  void theDefaultCommandServesTheEmbeddedGateway() throws InterruptedException {
    List<String> cmd = buildah.imageCmd(imageId);
    assertThat(cmd).as("the image's CMD").contains(Component.GATEWAY.imagePath());
    // The only change: the host's network is shared, so 8080 could be taken. The gateway reads
    // its port from SWITCHBOARD_PORT (ServerOptions' "port").
    int port = new FreePorts().port();
    PodLaunch launch = new PodLaunch("embedded", cmd, Map.of("SWITCHBOARD_PORT", String.valueOf(port)), Map.of());
    long startedAt = System.nanoTime();
    pods.add(PodProcess.inImage(launch, buildah, imageId, containerName(launch), WORK_DIR));
    log.info("started container {}: {} (SWITCHBOARD_PORT={})", containerName(launch), String.join(" ", cmd), port);
    client.awaitReady(port, READY_DEADLINE);
    log.info("embedded gateway ready {} s after start", seconds(startedAt));
    SmokeClient.RoundTrip trip = client.chatRoundTrip(port, port, "image-smoke");
    log.info("embedded gateway: chat round trip on /ws/chat/image-smoke in {} s ({} send attempt(s))", trip.seconds(),
      trip.attempts());
  }

  @Test
  @Order(4)
  void theDeploymentsPodsRunFromTheImage() throws InterruptedException {
    Manifests manifests = Manifests.load(K8S);
    FreePorts ports = new FreePorts();
    int hazelcastBase = ports.block(10);
    int gateway1Port = ports.port();
    int gateway2Port = ports.port();
    PodLaunch.Host host = new PodLaunch.Host("image-smoke-" + RUN_ID, hazelcastBase, WORK_DIR, ports);
    List<PodLaunch> launches = new ArrayList<>();
    launches.add(PodLaunch.fromManifests(manifests, Component.GATEWAY, "gateway-1", gateway1Port, ports.port(), host));
    launches.add(PodLaunch.fromManifests(manifests, Component.GATEWAY, "gateway-2", gateway2Port, ports.port(), host));
    launches.add(PodLaunch.fromManifests(manifests, Component.CHAT, "chat-1", 0, ports.port(), host));
    launches.add(PodLaunch.fromManifests(manifests, Component.CHAT, "chat-2", 0, ports.port(), host));
    launches.add(PodLaunch.fromManifests(manifests, Component.SIMULATOR, "simulator-1", 0, ports.port(), host));
    launches.add(PodLaunch.fromManifests(manifests, Component.SIMULATOR, "simulator-2", 0, ports.port(), host));
    // The containers first (each a full copy of the image with vfs), then every pod at once, as
    // kubectl apply would start them.
    long madeAt = System.nanoTime();
    for (PodLaunch launch : launches) {
      containers.add(buildah.create(imageId, containerName(launch)));
    }
    log.info("made {} containers of {} in {} s", launches.size(), tag, seconds(madeAt));
    long startedAt = System.nanoTime();
    for (PodLaunch launch : launches) {
      pods.add(PodProcess.inContainer(launch, buildah, containerName(launch), WORK_DIR));
      log.info("started container {}: {} ({} files mounted, {} env vars)", containerName(launch),
        String.join(" ", launch.command()), launch.files().size(), launch.env().size());
    }
    client.awaitReady(gateway1Port, READY_DEADLINE);
    client.awaitReady(gateway2Port, READY_DEADLINE);
    log.info("both gateway containers ready {} s after the first start", seconds(startedAt));
    SmokeClient.RoundTrip trip = client.chatRoundTrip(gateway1Port, gateway2Port, "image-smoke");
    log.info("containers: cross-gateway chat round trip in {} s ({} send attempt(s))", trip.seconds(), trip.attempts());
  }

  private static String containerName(PodLaunch launch) {
    return "switchboard-image-" + RUN_ID + "-" + launch.podName();
  }

  private static String seconds(long since) {
    return String.format("%.1f", (System.nanoTime() - since) / 1e9);
  }

  private static String tail(Path file) {
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
