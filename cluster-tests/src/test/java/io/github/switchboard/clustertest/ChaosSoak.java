package io.github.switchboard.clustertest;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chaos soak (not part of {@code mvn verify}: it runs only with {@code -Dchaos.minutes=N},
 * see {@code cluster-tests/chaos-soak.sh}). Six processes, each in its own network namespace:
 * two chat instances, two simulators (four data members, quorum three) and two gateways, under
 * the traffic and checks of {@link ChatChecker} and {@link ScoresWatcher}. Every few seconds one
 * fault, chosen at random: kill -9 of any process (started again after a while), SIGSTOP of any
 * process for 5-15 s, or a network split of the processes into two random sides for 10-20 s.
 * After each fault the soak waits until the cluster is whole again (both gateways ready, every
 * data member's backups in sync) before the next, so that each fault is one fault. At the end
 * the checkers run and the report is written to {@code target/chaos-report.md}.
 */
class ChaosSoak {

  private static final Logger log = LoggerFactory.getLogger(ChaosSoak.class);
  private static final String API_KEY = "chaos-key";
  private static final Map<String, String> QUORUM = Map.of("SWITCHBOARD_CLUSTER_QUORUM", "3");
  private static final List<String> DATA = List.of("chat-1", "chat-2", "simulator-1", "simulator-2");
  private static final List<String> GATEWAYS = List.of("gateway-1", "gateway-2");

  private PartitionNetwork network;
  private TestCluster cluster;
  private ChatChecker checker;
  private final Map<String, ClusterProcess> processes = new HashMap<>();
  private final Map<String, TestCluster.Gateway> gateways = new HashMap<>();

  @AfterEach
  void stop() {
    if (checker != null) {
      checker.stop();
    }
    if (cluster != null) {
      cluster.close();
    }
    if (network != null) {
      network.close();
    }
  }

  @Test
  void soak() throws Exception {
    String minutes = System.getProperty("chaos.minutes");
    Assumptions.assumeTrue(minutes != null, "the chaos soak runs only with -Dchaos.minutes=N (cluster-tests/chaos-soak.sh)");
    Assumptions.assumeTrue(PartitionNetwork.unavailable().isEmpty(), () -> PartitionNetwork.unavailable().orElse(""));
    long seed = Long.getLong("chaos.seed", System.nanoTime());
    Random random = new Random(seed);
    network = PartitionNetwork.create();
    List<String> all = new ArrayList<>(DATA);
    all.addAll(GATEWAYS);
    cluster = new TestCluster("chaos-soak", network, all);
    for (String name : DATA) {
      start(name);
    }
    for (String name : GATEWAYS) {
      start(name);
    }
    checker = new ChatChecker(cluster, API_KEY, List.of(gateways.get("gateway-1"), gateways.get("gateway-2")));
    checker.subscribe(gateways.get("gateway-1"), 2);
    checker.subscribe(gateways.get("gateway-2"), 2);
    checker.publishThrough(gateways.get("gateway-1"));
    checker.publishThrough(gateways.get("gateway-2"));
    List<ScoresWatcher> scores = new ArrayList<>();

    Instant started = Instant.now();
    long end = System.nanoTime() + Duration.ofMinutes(Long.parseLong(minutes)).toNanos();
    Map<String, Integer> faults = new TreeMap<>();
    List<String> timeline = new ArrayList<>();
    while (System.nanoTime() < end) {
      awaitWhole();
      // A gateway that was cut off or restarted has new sockets: watch scores there again.
      scores.add(new ScoresWatcher(cluster, gateways.get(GATEWAYS.get(random.nextInt(GATEWAYS.size())))));
      cluster.vertx.timer(2_000 + random.nextInt(3_000)).await();
      String fault = inject(random);
      faults.merge(fault.substring(0, fault.indexOf(' ')), 1, Integer::sum);
      timeline.add(Duration.between(started, Instant.now()).toSeconds() + " s: " + fault);
      log.info("chaos: {}", fault);
    }
    awaitWhole();
    int acknowledged = checker.acked();
    String verdict;
    try {
      checker.finish();
      scores.forEach(ScoresWatcher::check);
      verdict = "violations: 0";
    } catch (AssertionError e) {
      verdict = "VIOLATION: " + e.getMessage();
    }
    int updates = scores.stream().mapToInt(ScoresWatcher::updates).sum();
    StringBuilder report = new StringBuilder()
      .append("Chaos soak, ").append(minutes).append(" min, seed ").append(seed).append(", started ").append(started).append('\n')
      .append("- processes: 2 chat, 2 simulators (4 data members, quorum 3), 2 gateways, each in its own network namespace\n")
      .append("- operations: ").append(acknowledged).append(" chat messages acknowledged and checked; ")
      .append(updates).append(" score updates checked on ").append(scores.size()).append(" sockets; ")
      .append(checker.gapsAnnounced).append(" messages missed by a subscriber inside a gap its resubscribe announced "
        + "(recovered:false)\n")
      .append("- faults injected: ").append(faults.values().stream().mapToInt(Integer::intValue).sum()).append(' ')
      .append(faults).append('\n')
      .append("- stalls (a process not whole 3 min after a fault, restarted as the runbook says): ")
      .append(stalls.isEmpty() ? "none" : String.join("; ", stalls)).append('\n')
      .append("- ").append(verdict).append('\n')
      .append("\nTimeline:\n");
    timeline.forEach(line -> report.append("- ").append(line).append('\n'));
    Path file = Path.of("target/chaos-report.md");
    Files.writeString(file, report.toString(), StandardCharsets.UTF_8);
    log.info("chaos report ({}):\n{}", file.toAbsolutePath(), report);
    assertThat(verdict).isEqualTo("violations: 0");
  }

  private void start(String name) {
    switch (name) {
      case "chat-1", "chat-2" -> {
        // Every message of the soak stays in the history, so that the checker can find each one.
        Map<String, String> env = new HashMap<>(QUORUM);
        env.put("SWITCHBOARD_CHAT_HISTORY_SIZE", "50000");
        processes.put(name, cluster.chat(name, env));
      }
      case "simulator-1", "simulator-2" -> processes.put(name, cluster.simulator(name, QUORUM));
      default -> {
        Map<String, String> env = new HashMap<>(QUORUM);
        env.put("SWITCHBOARD_API_KEY", API_KEY);
        TestCluster.Gateway gateway = cluster.gateway(name, env);
        gateways.put(name, gateway);
        processes.put(name, gateway.process());
      }
    }
  }

  /** One fault, described; returns once it is over (the process back, the network healed). */
  private String inject(Random random) throws Exception {
    List<String> names = new ArrayList<>(processes.keySet());
    names.sort(String::compareTo);
    String target = names.get(random.nextInt(names.size()));
    switch (random.nextInt(3)) {
      case 0 -> {
        processes.get(target).kill();
        cluster.vertx.timer(3_000 + random.nextInt(7_000)).await();
        start(target);
        return "kill -9 " + target + " (started again)";
      }
      case 1 -> {
        int seconds = 5 + random.nextInt(11);
        processes.get(target).freeze();
        cluster.vertx.timer(seconds * 1_000L).await();
        processes.get(target).thaw();
        return "SIGSTOP " + target + " for " + seconds + " s";
      }
      default -> {
        List<PartitionNetwork.Host> one = new ArrayList<>();
        List<PartitionNetwork.Host> other = new ArrayList<>();
        for (String name : names) {
          (random.nextBoolean() ? one : other).add(cluster.host(name));
        }
        if (one.isEmpty() || other.isEmpty()) {
          return inject(random);
        }
        int seconds = 10 + random.nextInt(11);
        network.cut(one, other);
        cluster.vertx.timer(seconds * 1_000L).await();
        network.heal();
        return "split " + one.stream().map(PartitionNetwork.Host::name).toList() + " | "
          + other.stream().map(PartitionNetwork.Host::name).toList() + " for " + seconds + " s";
      }
    }
  }

  /**
   * Both gateways ready and every data member's backups in sync: the cluster can take the next
   * fault. A process still not whole after {@link #WHOLE_WITHIN} is restarted, as the runbook
   * says (docs/operations.md), one at a time, and the stall is reported.
   */
  private void awaitWhole() throws Exception {
    for (int restarts = 0; ; restarts++) {
      try {
        Waits.until(cluster, "the cluster whole again", () -> notWhole().isEmpty(), WHOLE_WITHIN);
        return;
      } catch (AssertionError e) {
        List<String> stuck = notWhole();
        if (stuck.isEmpty() || restarts == 2) {
          throw new AssertionError("the cluster is not whole: " + stuck, e);
        }
        String name = stuck.get(0);
        String stall = "stall: " + stuck + " not whole " + WHOLE_WITHIN.toSeconds() + " s after the last fault; restarted "
          + name;
        log.warn("chaos: {}", stall);
        stalls.add(stall);
        processes.get(name).kill();
        start(name);
      }
    }
  }

  static final Duration WHOLE_WITHIN = Duration.ofMinutes(3);
  private final List<String> stalls = new ArrayList<>();

  /** The processes that are not whole now: a gateway not ready, a data member whose backups are not in sync. */
  private List<String> notWhole() {
    List<String> out = new ArrayList<>();
    for (String name : GATEWAYS) {
      if (status(() -> cluster.get(gateways.get(name), "/health/ready").statusCode()) != 200) {
        out.add(name);
      }
    }
    for (String name : DATA) {
      ClusterProcess process = processes.get(name);
      if (status(() -> "safe".equals(cluster.get(process, "/health/ready").bodyAsJsonObject().getString("backups"))
        ? 200 : 0) != 200) {
        out.add(name);
      }
    }
    return out;
  }

  private static int status(java.util.function.IntSupplier probe) {
    try {
      return probe.getAsInt();
    } catch (RuntimeException | AssertionError e) {
      return -1;
    }
  }
}
