package io.github.switchboard.clustertest;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.core.HazelcastInstance;
import io.github.switchboard.coordination.TestPorts;
import io.github.switchboard.gateway.Await;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * A cluster of real processes on this machine: its own Hazelcast cluster name and port range,
 * so test runs never join each other, and gateways on free HTTP ports.
 */
final class TestCluster implements AutoCloseable {

  static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  static final Pattern DEPLOYED = Pattern.compile("Succeeded in deploying verticle");
  static final Pattern SIMULATOR_ACTIVE = Pattern.compile("role=simulator active on this instance");
  static final Pattern CHAT_ACTIVE = Pattern.compile("role=chat active on this instance");

  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  final Vertx vertx = Vertx.vertx();
  private final WebClient http = WebClient.create(vertx);
  private final String clusterName = "test-" + UUID.randomUUID();
  /**
   * Members take this port and the next ones: below the ephemeral range (from 32,768 here), which
   * outgoing connections use, and above {@link TestPorts}'s.
   */
  private final int hazelcastPort = 20_000
    + ThreadLocalRandom.current().nextInt(Math.max(1, (TestPorts.ephemeralLow() - 20_100) / 50)) * 50;
  private final Path logDir;
  private final List<ClusterProcess> processes = new ArrayList<>();
  private final Map<ClusterProcess, Integer> healthPorts = new HashMap<>();
  private final List<HazelcastInstance> clients = new ArrayList<>();

  /** Null: every process on 127.0.0.1; else each in its own namespace of this network. */
  private final PartitionNetwork network;
  private final Map<String, PartitionNetwork.Host> hosts = new HashMap<>();
  /** The Hazelcast and HTTP ports inside a namespace (each has its own ports). */
  static final int NAMESPACE_HAZELCAST_PORT = 5701;
  static final int NAMESPACE_HTTP_PORT = 8080;

  TestCluster(String testName) {
    this(testName, null, List.of());
  }

  /**
   * A cluster whose processes each run in a network namespace of {@code network}, one per name
   * in {@code names} (made now, so that every process knows every member's address).
   */
  TestCluster(String testName, PartitionNetwork network, List<String> names) {
    this.logDir = ROOT.resolve("cluster-tests/target/cluster-logs/" + testName);
    this.network = network;
    // Embedded gateways keep history under a data directory: each run of a test starts empty.
    deleteRecursively(logDir.resolve("data"));
    for (String name : names) {
      hosts.put(name, network.host(name));
    }
  }

  record Gateway(ClusterProcess process, int port, String host) {
    Gateway(ClusterProcess process, int port) {
      this(process, port, "127.0.0.1");
    }
  }

  /** The namespace a process of this name runs in (network mode). */
  PartitionNetwork.Host host(String name) {
    PartitionNetwork.Host host = hosts.get(name);
    if (host == null) {
      throw new AssertionError("no namespace for '" + name + "' (give every process's name to the constructor)");
    }
    return host;
  }

  private Map<String, String> env(Map<String, String> extra) {
    Map<String, String> env = new HashMap<>();
    env.put("SWITCHBOARD_CLUSTER_NAME", clusterName);
    if (network == null) {
      env.put("SWITCHBOARD_CLUSTER_MEMBERS", "127.0.0.1");
      env.put("SWITCHBOARD_CLUSTER_PORT", String.valueOf(hazelcastPort));
    } else {
      env.put("SWITCHBOARD_CLUSTER_MEMBERS", String.join(",", hosts.values().stream()
        .map(h -> h.address() + ":" + NAMESPACE_HAZELCAST_PORT).sorted().toList()));
      env.put("SWITCHBOARD_CLUSTER_PORT", String.valueOf(NAMESPACE_HAZELCAST_PORT));
    }
    // CLUSTER_TEST_LOG_LEVEL=DEBUG makes every process of a run log at that level.
    String level = System.getenv("CLUSTER_TEST_LOG_LEVEL");
    if (level != null) {
      env.put("SWITCHBOARD_LOG_LEVEL", level);
    }
    env.putAll(extra);
    return env;
  }

  private ClusterProcess start(String name, String module, String jar, Map<String, String> extraEnv) {
    return start(name, module, jar, ClusterProcess.DEFAULT_JVM_OPTIONS, true, extraEnv);
  }

  private ClusterProcess start(String name, String module, String jar, List<String> jvmOptions, boolean clustered,
                               Map<String, String> extraEnv) {
    String address = network == null ? "127.0.0.1" : host(name).address();
    List<String> arguments = clustered ? List.of("-cluster", "-cluster-host", address) : List.of();
    List<String> prefix = network == null ? List.of() : PartitionNetwork.exec(host(name));
    Map<String, String> env = env(extraEnv);
    // Embedded mode keeps history in files: under this run's logs, one directory per process name
    // (a process started again under its name finds its files).
    env.putIfAbsent("SWITCHBOARD_DATA_DIR", dataDir(name).toString());
    ClusterProcess process = ClusterProcess.start(name, prefix, ROOT.resolve(module + "/target/" + jar), jvmOptions,
      arguments, env, logDir);
    processes.add(process);
    return process;
  }

  /** Where an embedded process of this name keeps its history files. */
  Path dataDir(String name) {
    return logDir.resolve("data").resolve(name);
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> {
        try {
          Files.delete(path);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Gateway gateway(String name, Map<String, String> extraEnv) {
    return gateway(name, ClusterProcess.DEFAULT_JVM_OPTIONS, true, extraEnv);
  }

  /**
   * A gateway process with the JVM options given; {@code clustered} false starts it in embedded
   * mode (chat and simulator in its JVM, no cluster).
   */
  Gateway gateway(String name, List<String> jvmOptions, boolean clustered, Map<String, String> extraEnv) {
    int port = network == null ? freePort() : NAMESPACE_HTTP_PORT;
    String address = network == null ? "127.0.0.1" : host(name).address();
    Map<String, String> env = new HashMap<>(extraEnv);
    env.put("SWITCHBOARD_PORT", String.valueOf(port));
    env.put("SWITCHBOARD_HOST", address);
    ClusterProcess process = start(name, "gateway-verticle", "gateway-fat.jar", jvmOptions, clustered, env);
    Gateway gateway = new Gateway(process, port, address);
    awaitReady(gateway);
    return gateway;
  }

  Gateway gateway(String name) {
    return gateway(name, Map.of());
  }

  ClusterProcess chat(String name) {
    return chat(name, Map.of());
  }

  ClusterProcess chat(String name, Map<String, String> extraEnv) {
    return chat(name, ClusterProcess.DEFAULT_JVM_OPTIONS, extraEnv);
  }

  ClusterProcess chat(String name, List<String> jvmOptions, Map<String, String> extraEnv) {
    int health = network == null ? freePort() : NAMESPACE_HTTP_PORT;
    Map<String, String> env = new HashMap<>(extraEnv);
    env.put("SWITCHBOARD_HEALTH_PORT", String.valueOf(health));
    ClusterProcess process = start(name, "chat-verticle", "chat-fat.jar", jvmOptions, true, env);
    healthPorts.put(process, health);
    process.awaitOutput(DEPLOYED, START_TIMEOUT);
    return process;
  }

  ClusterProcess simulator(String name) {
    return simulator(name, Map.of());
  }

  ClusterProcess simulator(String name, Map<String, String> extraEnv) {
    int health = network == null ? freePort() : NAMESPACE_HTTP_PORT;
    Map<String, String> env = new HashMap<>(extraEnv);
    env.put("SWITCHBOARD_HEALTH_PORT", String.valueOf(health));
    ClusterProcess process = start(name, "simulator-verticle", "simulator-fat.jar", env);
    healthPorts.put(process, health);
    process.awaitOutput(DEPLOYED, START_TIMEOUT);
    return process;
  }

  /**
   * A Hazelcast client of this cluster: it holds no data, and sees the cluster's structures as
   * they are, independently of what the processes report about themselves.
   */
  HazelcastInstance hazelcastClient() {
    ClientConfig config = new ClientConfig();
    config.setClusterName(clusterName);
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.getNetworkConfig().addAddress("127.0.0.1:" + hazelcastPort);
    HazelcastInstance client = HazelcastClient.newHazelcastClient(config);
    clients.add(client);
    return client;
  }

  void awaitReady(Gateway gateway) {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (true) {
      try {
        if (get(gateway, "/health/ready").statusCode() == 200) {
          return;
        }
      } catch (Exception | AssertionError e) {
        // not listening yet (a refused connection surfaces as a checked exception)
      }
      if (!gateway.process().isAlive() || System.nanoTime() > deadline) {
        throw new AssertionError(gateway.process().name() + " not ready:\n" + gateway.process().tail());
      }
      ClusterProcess.pause();
    }
  }

  HttpResponse<Buffer> get(Gateway gateway, String path) {
    return Await.result(http.get(gateway.port(), gateway.host(), path).send());
  }

  HttpResponse<Buffer> get(Gateway gateway, String path, String bearer) {
    return Await.result(http.get(gateway.port(), gateway.host(), path).putHeader("Authorization", "Bearer " + bearer).send());
  }

  /** GET on a service process's health server. */
  HttpResponse<Buffer> get(ClusterProcess service, String path) {
    return Await.result(http.get(healthPorts.get(service), addressOf(service), path).send());
  }

  HttpResponse<Buffer> post(Gateway gateway, String path, String body) {
    return Await.result(http.post(gateway.port(), gateway.host(), path).sendBuffer(Buffer.buffer(body)));
  }

  HttpResponse<Buffer> post(Gateway gateway, String path, String body, String bearer) {
    return Await.result(http.post(gateway.port(), gateway.host(), path).putHeader("Authorization", "Bearer " + bearer)
      .sendBuffer(Buffer.buffer(body)));
  }

  HttpResponse<Buffer> delete(Gateway gateway, String path, String bearer) {
    return Await.result(http.delete(gateway.port(), gateway.host(), path).putHeader("Authorization", "Bearer " + bearer).send());
  }

  private String addressOf(ClusterProcess process) {
    return network == null ? "127.0.0.1" : host(process.name()).address();
  }

  /** Below the ephemeral range: see {@link TestPorts}. */
  static int freePort() {
    return TestPorts.free();
  }

  @Override
  public void close() {
    clients.forEach(HazelcastInstance::shutdown);
    processes.forEach(ClusterProcess::close);
    http.close();
    vertx.close();
  }
}
