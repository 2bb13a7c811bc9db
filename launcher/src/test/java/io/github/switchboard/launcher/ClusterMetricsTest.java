package io.github.switchboard.launcher;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real Hazelcast members in this JVM: what each reports of the cluster follows members joining
 * and leaving, a lite member counts apart from data members, the partitions move when a second
 * data member joins (migrations counted) and the backups come to be in sync.
 */
class ClusterMetricsTest {

  private final List<HazelcastInstance> members = new ArrayList<>();
  private final List<ClusterMetrics> metrics = new ArrayList<>();
  private final Vertx vertx = Vertx.vertx();
  private final String cluster = "metrics-" + UUID.randomUUID();

  @AfterEach
  void stop() {
    metrics.forEach(ClusterMetrics::stop);
    members.forEach(HazelcastInstance::shutdown);
    vertx.close().await();
  }

  @Test
  void eachMemberReportsTheMembersItSeesMigrationsAndBackupSafety() throws InterruptedException {
    SimpleMeterRegistry first = new SimpleMeterRegistry();
    HazelcastInstance data1 = start(false, first);
    await(() -> gauge(first, "switchboard.cluster.members", "kind", "data") == 1, "one data member seen");
    data1.getMap("switchboard.test").put("k", "v");
    for (int i = 0; i < 200; i++) {
      data1.getMap("switchboard.test").put("k" + i, i);
    }

    SimpleMeterRegistry second = new SimpleMeterRegistry();
    start(false, second);
    SimpleMeterRegistry lite = new SimpleMeterRegistry();
    HazelcastInstance gateway = start(true, lite);
    for (SimpleMeterRegistry registry : List.of(first, second, lite)) {
      await(() -> gauge(registry, "switchboard.cluster.members", "kind", "data") == 2
        && gauge(registry, "switchboard.cluster.members", "kind", "lite") == 1, "two data members and one lite seen");
    }
    assertThat(counter(first, "switchboard.cluster.membership.changes", "change", "added")).isEqualTo(2);
    assertThat(gauge(first, "switchboard.cluster.quorum", null, null)).isEqualTo(ClusterConfigLoader.quorumOf(data1.getConfig()));
    // The second data member took partitions from the first: replica migrations were reported.
    await(() -> counter(first, "switchboard.partition.migrations", "result", "completed")
      + counter(second, "switchboard.partition.migrations", "result", "completed") > 0, "migrations counted");
    await(() -> gauge(first, "switchboard.cluster.safe", null, null) == 1
      && gauge(first, "switchboard.member.safe", null, null) == 1
      && gauge(first, "switchboard.partition.migrating", null, null) == 0, "backups in sync once the migrations ended");

    gateway.shutdown();
    members.remove(gateway);
    await(() -> gauge(first, "switchboard.cluster.members", "kind", "lite") == 0
      && counter(first, "switchboard.cluster.membership.changes", "change", "removed") == 1, "the lite member's leave seen");
  }

  private HazelcastInstance start(boolean lite, SimpleMeterRegistry registry) {
    Config config = TestMembers.config(cluster, 17701);
    config.setLiteMember(lite);
    HazelcastInstance member = Hazelcast.newHazelcastInstance(config);
    members.add(member);
    metrics.add(ClusterMetrics.start(vertx, member, registry));
    return member;
  }

  private static double gauge(SimpleMeterRegistry registry, String name, String tag, String value) {
    var search = registry.find(name);
    if (tag != null) {
      search = search.tag(tag, value);
    }
    var gauge = search.gauge();
    return gauge == null ? Double.NaN : gauge.value();
  }

  private static double counter(SimpleMeterRegistry registry, String name, String tag, String value) {
    var counter = registry.find(name).tag(tag, value).counter();
    return counter == null ? 0 : counter.count();
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 60 s: " + what);
      }
      Thread.sleep(50);
    }
  }
}
