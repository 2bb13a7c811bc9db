package io.github.switchboard.coordination;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MergePolicyConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.github.switchboard.launcher.ClusterConfigLoader;

import java.util.UUID;

/**
 * A real Hazelcast member for tests: alone in a cluster whose name is unique to this run, so it
 * never joins a developer's running Switchboard or another test's member on the same machine.
 */
public final class EmbeddedHazelcast {

  private EmbeddedHazelcast() {
  }

  public static HazelcastInstance start() {
    return Hazelcast.newHazelcastInstance(config("test-" + UUID.randomUUID()));
  }

  /**
   * A member alone in a new cluster, with these entries in its user context (what a process puts
   * there for its stores, e.g. its history database).
   */
  public static HazelcastInstance start(java.util.Map<String, Object> userContext) {
    Config config = config("test-" + UUID.randomUUID());
    config.getUserContext().putAll(userContext);
    return Hazelcast.newHazelcastInstance(config);
  }

  /**
   * A member alone in a new cluster whose history and fenced maps write through to the database
   * in its user context, as a process configured with {@code SWITCHBOARD_HISTORY_DB_URL}.
   */
  public static HazelcastInstance startPersisted(java.util.Map<String, Object> userContext) {
    Config config = config("test-" + UUID.randomUUID());
    config.getUserContext().putAll(userContext);
    ClusterConfigLoader.writeThrough(config);
    return Hazelcast.newHazelcastInstance(config);
  }

  /**
   * A data member of the cluster {@code clusterName} (members of one name find each other) with
   * the given quorum of data members, as the launcher configures it.
   */
  public static HazelcastInstance member(String clusterName, int quorum) {
    Config config = config(clusterName);
    ClusterConfigLoader.protectWithQuorum(config, quorum);
    return Hazelcast.newHazelcastInstance(config);
  }

  private static Config config(String clusterName) {
    // Also as a system property: Hazelcast logs a few lines before it reads the config.
    System.setProperty("hazelcast.logging.type", "slf4j");
    Config config = new Config();
    config.setClusterName(clusterName);
    config.setProperty("hazelcast.wait.seconds.before.join", "0");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    // As cluster.xml: the maps Switchboard stores data in merge by progress after a split.
    config.addMapConfig(new MapConfig("switchboard.*").setMergePolicyConfig(
      new MergePolicyConfig(MergeByProgress.class.getName(), 100)));
    NetworkConfig network = config.getNetworkConfig();
    network.setPort(15701).setPortAutoIncrement(true).setPortCount(100);
    network.getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    JoinConfig join = network.getJoin();
    join.getAutoDetectionConfig().setEnabled(false);
    join.getMulticastConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).addMember("127.0.0.1");
    return config;
  }
}
