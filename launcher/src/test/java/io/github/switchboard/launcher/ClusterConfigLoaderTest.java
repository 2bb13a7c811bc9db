package io.github.switchboard.launcher;

import com.hazelcast.config.Config;
import com.hazelcast.config.MapConfig;
import com.hazelcast.cluster.Member;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.SplitBrainProtectionConfig;
import com.hazelcast.splitbrainprotection.SplitBrainProtectionOn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClusterConfigLoaderTest {

  @Test
  void bundledConfigDefaultsToTcpIpOnLoopback() {
    Config config = ClusterConfigLoader.load(new Properties(), Map.of());
    JoinConfig join = config.getNetworkConfig().getJoin();
    assertThat(config.getClusterName()).isEqualTo("switchboard");
    assertThat(join.getTcpIpConfig().isEnabled()).isTrue();
    assertThat(join.getTcpIpConfig().getMembers()).containsExactly("127.0.0.1");
    assertThat(join.getMulticastConfig().isEnabled()).isFalse();
    assertThat(join.getAutoDetectionConfig().isEnabled()).isFalse();
    assertThat(join.getKubernetesConfig().isEnabled()).isFalse();
    assertThat(config.getProperty("hazelcast.wait.seconds.before.join")).isEqualTo("0");
    assertThat(config.getNetworkConfig().getPort()).isEqualTo(5701);
  }

  @Test
  void theJarsDefaultDecidesLiteMembershipUnlessTheEnvironmentSaysOtherwise() {
    assertThat(ClusterConfigLoader.load(new Properties(), Map.of(), true).isLiteMember()).isTrue();
    assertThat(ClusterConfigLoader.load(new Properties(), Map.of(), false).isLiteMember()).isFalse();
    assertThat(ClusterConfigLoader.load(new Properties(), Map.of("SWITCHBOARD_CLUSTER_LITE_MEMBER", "false"), true)
      .isLiteMember()).isFalse();
    assertThat(ClusterConfigLoader.load(new Properties(), Map.of("SWITCHBOARD_CLUSTER_LITE_MEMBER", " TRUE "), false)
      .isLiteMember()).isTrue();
    assertThatThrownBy(() -> ClusterConfigLoader.load(new Properties(), Map.of("SWITCHBOARD_CLUSTER_LITE_MEMBER", "yes"), true))
      .hasMessageContaining("SWITCHBOARD_CLUSTER_LITE_MEMBER").hasMessageContaining("'yes'");
  }

  @Test
  void aLiteMemberGivesUpALostCallWithinSecondsUnlessToldOtherwise() {
    String timeout = ClusterConfigLoader.CALL_TIMEOUT_PROPERTY;
    assertThat(ClusterConfigLoader.load(new Properties(), Map.of(), true).getProperty(timeout)).isEqualTo("4000");
    // Data members keep Hazelcast's default.
    assertThat(ClusterConfigLoader.load(new Properties(), Map.of(), false).getProperty(timeout)).isNull();
    // A system property wins (Hazelcast reads it when the config has none).
    Properties system = new Properties();
    system.setProperty(timeout, "30000");
    assertThat(ClusterConfigLoader.load(system, Map.of(), true).getProperty(timeout)).isNull();
  }

  @Test
  void aLiteMembersCallTimeoutFromTheFileIsKept(@TempDir Path dir) throws Exception {
    Path custom = dir.resolve("custom.xml");
    Files.writeString(custom, "<hazelcast xmlns=\"http://www.hazelcast.com/schema/config\"><properties>"
      + "<property name=\"hazelcast.operation.call.timeout.millis\">20000</property></properties></hazelcast>");
    Properties chosen = new Properties();
    chosen.setProperty(ClusterConfigLoader.CONFIG_PROPERTY, custom.toString());
    assertThat(ClusterConfigLoader.load(chosen, Map.of(), true).getProperty(ClusterConfigLoader.CALL_TIMEOUT_PROPERTY))
      .isEqualTo("20000");
  }

  @Test
  void theQuorumProtectsEverySwitchboardMapAndCountsDataMembersOnly() {
    Config config = ClusterConfigLoader.load(new Properties(), Map.of("SWITCHBOARD_CLUSTER_QUORUM", "2"));
    assertThat(ClusterConfigLoader.quorumOf(config)).isEqualTo(2);
    SplitBrainProtectionConfig quorum = config.getSplitBrainProtectionConfig(DataMemberQuorum.NAME);
    assertThat(quorum.isEnabled()).isTrue();
    assertThat(quorum.getProtectOn()).isEqualTo(SplitBrainProtectionOn.READ_WRITE);
    for (String map : new String[] {"switchboard.streams", "switchboard.chat.history", "switchboard.scores.events",
      "switchboard.roles", "switchboard.presence"}) {
      assertThat(config.findMapConfig(map).getSplitBrainProtectionName()).as(map).isEqualTo(DataMemberQuorum.NAME);
    }
    assertThat(config.findMapConfig("__vertx.subs").getSplitBrainProtectionName()).isNull();
    // Two gateways (lite) and one data member are not a quorum of two; two data members are.
    assertThat(quorum.getFunctionImplementation().apply(List.of(member(true), member(true), member(false)))).isFalse();
    assertThat(quorum.getFunctionImplementation().apply(List.of(member(true), member(false), member(false)))).isTrue();
    // Writes whose backup does not answer fail rather than pass with one copy.
    assertThat(config.getProperty("hazelcast.operation.fail.on.indeterminate.state")).isEqualTo("true");
  }

  @Test
  void aHistoryDatabaseGivesTheHistoryAndFencedMapsTheirStoreAndKeepsWhatTheirPatternGaveThem() {
    Config plain = ClusterConfigLoader.load(new Properties(), Map.of("SWITCHBOARD_CLUSTER_QUORUM", "2"));
    assertThat(plain.findMapConfig("switchboard.streams").getMapStoreConfig().isEnabled()).isFalse();

    Config config = ClusterConfigLoader.load(new Properties(), Map.of("SWITCHBOARD_CLUSTER_QUORUM", "2",
      "SWITCHBOARD_HISTORY_DB_URL", "jdbc:postgresql://db:5432/switchboard"));
    Map<String, String> stores = Map.of("switchboard.streams", ClusterConfigLoader.HISTORY_STORE_CLASS,
      "switchboard.chat.history", ClusterConfigLoader.HISTORY_STORE_CLASS,
      "switchboard.roles", ClusterConfigLoader.FENCED_STORE_CLASS,
      "switchboard.scores.events", ClusterConfigLoader.FENCED_STORE_CLASS);
    for (String map : stores.keySet()) {
      MapConfig found = config.findMapConfig(map);
      assertThat(found.getName()).as("a config of the map's own name").isEqualTo(map);
      assertThat(found.getMapStoreConfig().isEnabled()).isTrue();
      assertThat(found.getMapStoreConfig().getClassName()).isEqualTo(stores.get(map));
      assertThat(found.getMapStoreConfig().getWriteDelaySeconds()).as("write-through").isZero();
      assertThat(found.getSplitBrainProtectionName()).isEqualTo(DataMemberQuorum.NAME);
      assertThat(found.getMergePolicyConfig().getPolicy()).endsWith("MergeByProgress");
    }
    assertThat(config.findMapConfig("switchboard.presence").getMapStoreConfig().isEnabled()).as("live state").isFalse();
    assertThatThrownBy(() -> ClusterConfigLoader.load(new Properties(), Map.of("SWITCHBOARD_HISTORY_DB_URL",
      "postgres://db/switchboard"))).hasMessageContaining("SWITCHBOARD_HISTORY_DB_URL must be a jdbc:postgresql: URL");
    assertThatThrownBy(() -> ClusterConfigLoader.load(new Properties(), Map.of("SWITCHBOARD_HISTORY_DB_URL",
      "jdbc:postgresql://db:5432/switchboard", "SWITCHBOARD_HISTORY_DB_PASSWORD_FILE", "/nonexistent/history-db/password")))
      .hasMessageContaining("SWITCHBOARD_HISTORY_DB_PASSWORD_FILE names /nonexistent/history-db/password");
    assertThat(ClusterConfigLoader.load(new Properties(), Map.of("SWITCHBOARD_HISTORY_DB_PASSWORD_FILE",
      "/nonexistent/history-db/password")).findMapConfig("switchboard.streams").getMapStoreConfig().isEnabled())
      .as("without a URL the file is not needed (a Kubernetes pod without the Secret)").isFalse();
  }

  @Test
  void withoutAQuorumSettingTheProtectionIsOffAndABadValueStopsTheStart() {
    Config config = ClusterConfigLoader.load(new Properties(), Map.of());
    assertThat(ClusterConfigLoader.quorumOf(config)).isEqualTo(1);
    assertThat(config.getSplitBrainProtectionConfig(DataMemberQuorum.NAME).isEnabled()).isFalse();
    for (String bad : new String[] {"0", "-1", "two", "1.5"}) {
      assertThatThrownBy(() -> ClusterConfigLoader.load(new Properties(), Map.of("SWITCHBOARD_CLUSTER_QUORUM", bad)))
        .as(bad).hasMessageContaining("SWITCHBOARD_CLUSTER_QUORUM").hasMessageContaining(bad);
    }
  }

  static Member member(boolean lite) {
    return (Member) Proxy.newProxyInstance(Member.class.getClassLoader(), new Class<?>[] {Member.class},
      (proxy, method, args) -> switch (method.getName()) {
        case "isLiteMember" -> lite;
        case "hashCode" -> System.identityHashCode(proxy);
        case "equals" -> proxy == args[0];
        default -> throw new UnsupportedOperationException(method.getName());
      });
  }

  @Test
  void environmentChoosesMembersNameAndPort() {
    Config config = ClusterConfigLoader.load(new Properties(), Map.of("SWITCHBOARD_CLUSTER_MEMBERS", "10.0.0.1,10.0.0.2",
      "SWITCHBOARD_CLUSTER_NAME", "prod", "SWITCHBOARD_CLUSTER_PORT", "6000"));
    assertThat(config.getClusterName()).isEqualTo("prod");
    assertThat(config.getNetworkConfig().getJoin().getTcpIpConfig().getMembers()).containsExactly("10.0.0.1", "10.0.0.2");
    assertThat(config.getNetworkConfig().getPort()).isEqualTo(6000);
  }

  @Test
  void kubernetesDiscoveryIsAConfigurationChoice() {
    Config config = ClusterConfigLoader.load(new Properties(), Map.of("SWITCHBOARD_CLUSTER_DISCOVERY", "kubernetes",
      "SWITCHBOARD_CLUSTER_K8S_SERVICE_DNS", "switchboard-hazelcast.default.svc.cluster.local"));
    JoinConfig join = config.getNetworkConfig().getJoin();
    assertThat(join.getTcpIpConfig().isEnabled()).isFalse();
    assertThat(join.getKubernetesConfig().isEnabled()).isTrue();
    assertThat(join.getKubernetesConfig().getProperty("service-dns")).isEqualTo("switchboard-hazelcast.default.svc.cluster.local");
    assertThatThrownBy(() -> ClusterConfigLoader.load(new Properties(), Map.of("SWITCHBOARD_CLUSTER_DISCOVERY", "kubernetes")))
      .hasMessageContaining("SWITCHBOARD_CLUSTER_K8S_SERVICE_DNS");
    assertThatThrownBy(() -> ClusterConfigLoader.load(new Properties(), Map.of("SWITCHBOARD_CLUSTER_DISCOVERY", "multicast")))
      .hasMessageContaining("multicast");
  }

  @Test
  void systemPropertiesWinAndAMissingFileFails(@TempDir Path dir) throws Exception {
    Properties system = new Properties();
    system.setProperty("switchboard.cluster.name", "from-property");
    assertThat(ClusterConfigLoader.load(system, Map.of("SWITCHBOARD_CLUSTER_NAME", "from-env")).getClusterName())
      .isEqualTo("from-property");

    Properties missing = new Properties();
    missing.setProperty(ClusterConfigLoader.CONFIG_PROPERTY, dir.resolve("nope.xml").toString());
    assertThatThrownBy(() -> ClusterConfigLoader.load(missing, Map.of())).hasMessageContaining("nope.xml")
      .hasMessageContaining("does not exist");

    Path custom = dir.resolve("custom.xml");
    Files.writeString(custom, "<hazelcast xmlns=\"http://www.hazelcast.com/schema/config\"><cluster-name>${switchboard.cluster.name}-x</cluster-name></hazelcast>");
    Properties chosen = new Properties();
    chosen.setProperty(ClusterConfigLoader.CONFIG_PROPERTY, custom.toString());
    assertThat(ClusterConfigLoader.load(chosen, Map.of()).getClusterName()).isEqualTo("switchboard-x");
  }

  @Test
  void aHandshakeLimitThatIsNotANumberStopsTheStartWithItsName() {
    Properties system = new Properties();
    system.setProperty(HalfOpenConnections.TIMEOUT_PROPERTY, "1s");
    assertThatThrownBy(() -> ClusterConfigLoader.load(system, Map.of(), true))
      .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(HalfOpenConnections.TIMEOUT_PROPERTY);
  }

  @Test
  void aMergeHandoverLimitThatIsNotAPositiveNumberStopsTheStartWithItsName() {
    for (String bad : new String[] {"0", "-5", "1m"}) {
      Properties system = new Properties();
      system.setProperty(MergeHandover.TIMEOUT_PROPERTY, bad);
      assertThatThrownBy(() -> ClusterConfigLoader.load(system, Map.of(), true)).as(bad)
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(MergeHandover.TIMEOUT_PROPERTY);
    }
    assertThat(MergeHandover.timeoutMs(new com.hazelcast.config.Config(), new Properties()))
      .isEqualTo(MergeHandover.DEFAULT_TIMEOUT_MS);
  }
}
