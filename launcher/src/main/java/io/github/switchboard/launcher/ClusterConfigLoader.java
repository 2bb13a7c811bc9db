package io.github.switchboard.launcher;

import com.hazelcast.config.Config;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MapStoreConfig;
import com.hazelcast.config.SplitBrainProtectionConfig;
import com.hazelcast.config.XmlConfigBuilder;
import com.hazelcast.splitbrainprotection.SplitBrainProtectionOn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Loads the Hazelcast configuration of a clustered process.
 *
 * <p>Where from: the file named by {@code -Dswitchboard.cluster.config} or
 * {@code SWITCHBOARD_CLUSTER_CONFIG} (or Vert.x's own {@code -Dvertx.hazelcast.config}); else
 * the copy of the top-level {@code cluster.xml} inside the jar. Vert.x falls back to a default
 * multicast config when its path is wrong; here a wrong path is an error.
 */
public final class ClusterConfigLoader {

  private static final Logger log = LoggerFactory.getLogger(ClusterConfigLoader.class);
  public static final String CONFIG_PROPERTY = "switchboard.cluster.config";
  static final String CLASSPATH_CONFIG = "switchboard/cluster.xml";

  /** Placeholders of cluster.xml: system property, environment variable, default. */
  private static final String[][] PLACEHOLDERS = {
    {"switchboard.cluster.name", "SWITCHBOARD_CLUSTER_NAME", "switchboard"},
    {"switchboard.cluster.members", "SWITCHBOARD_CLUSTER_MEMBERS", "127.0.0.1"},
    {"switchboard.cluster.port", "SWITCHBOARD_CLUSTER_PORT", "5701"},
    {"switchboard.cluster.discovery", "SWITCHBOARD_CLUSTER_DISCOVERY", "tcp-ip"},
    {"switchboard.cluster.k8s.service-dns", "SWITCHBOARD_CLUSTER_K8S_SERVICE_DNS", ""},
  };

  private ClusterConfigLoader() {
  }

  /** Lite member: {@code true} or {@code false}; the jar's own default when unset. */
  static final String LITE_PROPERTY = "switchboard.cluster.lite-member";
  static final String LITE_ENV = "SWITCHBOARD_CLUSTER_LITE_MEMBER";

  /**
   * @param liteByDefault whether this process joins as a Hazelcast lite member (no partitions)
   *                      unless {@code SWITCHBOARD_CLUSTER_LITE_MEMBER} says otherwise: the
   *                      gateway jar does, the service jars hold the data
   */
  public static Config load(boolean liteByDefault) {
    return load(System.getProperties(), System.getenv(), liteByDefault);
  }

  static Config load(Properties system, Map<String, String> env) {
    return load(system, env, false);
  }

  /** Data members a side of the cluster needs to read and write its maps (see {@link DataMemberQuorum}). */
  static final String QUORUM_PROPERTY = "switchboard.cluster.quorum";
  static final String QUORUM_ENV = "SWITCHBOARD_CLUSTER_QUORUM";
  /** The maps the quorum protects: every map Switchboard stores data in. */
  static final String PROTECTED_MAPS = "switchboard.*";

  static Config load(Properties system, Map<String, String> env, boolean liteByDefault) {
    Config config = loadFile(system, env);
    protectWithQuorum(config, quorum(firstNonBlank(system.getProperty(QUORUM_PROPERTY), env.get(QUORUM_ENV))));
    String lite = firstNonBlank(system.getProperty(LITE_PROPERTY), env.get(LITE_ENV));
    if (lite == null) {
      config.setLiteMember(liteByDefault);
    } else if (lite.strip().equalsIgnoreCase("true") || lite.strip().equalsIgnoreCase("false")) {
      config.setLiteMember(Boolean.parseBoolean(lite.strip()));
    } else {
      throw new IllegalStateException(LITE_ENV + " must be 'true' or 'false', got '" + lite + "'");
    }
    if (config.isLiteMember()) {
      boundLostCalls(config, system);
    }
    writeHistoryThrough(config, env);
    // Read here, not first when the cluster is joined: a bad value stops the start with its reason.
    HalfOpenConnections.timeoutMs(config, system);
    MergeHandover.timeoutMs(config, system);
    return config;
  }

  /** The maps of the chat rooms' and the stream groups' history (ChatVerticle, GatewayVerticle). */
  static final List<String> HISTORY_MAPS = List.of("switchboard.chat.history", "switchboard.streams");
  /**
   * The roles' fencing tokens (HazelcastRoleFence) and the values written under them: the score
   * events (HazelcastEventStore). Kept with the history: values without their tokens could not be
   * written again after a restart.
   */
  static final List<String> FENCED_MAPS = List.of("switchboard.roles", "switchboard.scores.events");
  static final String HISTORY_DB_ENV = "SWITCHBOARD_HISTORY_DB_URL";
  static final String HISTORY_DB_PASSWORD_FILE_ENV = "SWITCHBOARD_HISTORY_DB_PASSWORD_FILE";
  /** The maps' write-through stores (coordination; named, not linked: arrows point down). */
  static final String HISTORY_STORE_CLASS = "io.github.switchboard.coordination.history.StreamLogStore";
  static final String FENCED_STORE_CLASS = "io.github.switchboard.coordination.fence.FencedStateStore";

  /**
   * With {@value #HISTORY_DB_ENV} set, the history maps and the fenced maps write through to
   * PostgreSQL (see {@link #writeThrough}). Only data members use it; every process may have it.
   */
  static void writeHistoryThrough(Config config, Map<String, String> env) {
    String url = env.get(HISTORY_DB_ENV);
    if (url == null || url.isBlank()) {
      return;
    }
    if (!url.strip().startsWith("jdbc:postgresql:")) {
      // Stopped here, not at the first write: every publish would fail with it.
      throw new IllegalStateException(HISTORY_DB_ENV + " must be a jdbc:postgresql: URL, got '" + url + "'");
    }
    String passwordFile = env.get(HISTORY_DB_PASSWORD_FILE_ENV);
    if (passwordFile != null && !passwordFile.isBlank()
      && !java.nio.file.Files.isReadable(java.nio.file.Path.of(passwordFile.strip()))) {
      // Read at the first write otherwise: the process would start, look ready, and fail them all
      // (e.g. a Kubernetes Secret with a url but no password key).
      throw new IllegalStateException(HISTORY_DB_PASSWORD_FILE_ENV + " names " + passwordFile
        + ", which cannot be read (with " + HISTORY_DB_ENV + " set, the database's password is read from it)");
    }
    writeThrough(config);
    log.info("Maps {} and {} write through to PostgreSQL ({}) on the data members", HISTORY_MAPS, FENCED_MAPS, url);
  }

  /**
   * Gives each persisted map a config of its own name, a copy of what {@value #PROTECTED_MAPS}
   * gives it (quorum, merge policy, backups) with the store. In this static config, because a
   * map's config comes from the member that holds its partitions, and the static
   * {@value #PROTECTED_MAPS} hides any dynamic config a service adds for these names. Public for
   * tests that start members of their own.
   */
  public static void writeThrough(Config config) {
    for (String name : HISTORY_MAPS) {
      addStore(config, name, HISTORY_STORE_CLASS);
    }
    for (String name : FENCED_MAPS) {
      addStore(config, name, FENCED_STORE_CLASS);
    }
  }

  private static void addStore(Config config, String name, String storeClass) {
    MapConfig map = new MapConfig(config.findMapConfig(name)).setName(name);
    // Write-through (no delay): a write answers once its row is committed. Entries are read back
    // one by one when first used, never all at start.
    map.setMapStoreConfig(new MapStoreConfig().setEnabled(true).setClassName(storeClass)
      .setWriteDelaySeconds(0).setInitialLoadMode(MapStoreConfig.InitialLoadMode.LAZY));
    config.addMapConfig(map);
  }

  /**
   * A setting the launcher adds to Hazelcast's: the config's property (cluster.xml), else the
   * system property of that name; null when neither is set or blank.
   */
  static String launcherSetting(Config config, Properties system, String name) {
    String value = config.getProperty(name);
    if (value == null || value.isBlank()) {
      value = system.getProperty(name);
    }
    return value == null || value.isBlank() ? null : value;
  }

  /** Hazelcast's property that bounds a call whose answer never comes (see {@link #boundLostCalls}). */
  static final String CALL_TIMEOUT_PROPERTY = "hazelcast.operation.call.timeout.millis";
  /** A lite member's call timeout: its lost calls are given up within twice this. */
  static final long LITE_CALL_TIMEOUT_MILLIS = 4_000;

  /**
   * Gives a lite member (a gateway) a call timeout of {@value #LITE_CALL_TIMEOUT_MILLIS} ms instead
   * of Hazelcast's 60 s, unless the file or a system property sets one.
   *
   * <p>Why: when a member stops hearing another one's heartbeats it closes its connection to it,
   * but the other stays in the cluster as long as the master hears it (a new master busy after
   * taking over did this in CI). Hazelcast 5.3 sends a call again when its target leaves, not
   * when the connection it went out on closes: a call whose answer was lost with that connection
   * waits for the call timeout and then as long again for an operation heartbeat that never
   * comes, 2 minutes by default. Vert.x's cluster manager makes such a call (a put in
   * {@code SubsMapHelper.republishOwnSubs}, after any member left) while it holds the lock that
   * every event-bus address lookup takes: CI saw every request of one gateway to a service time
   * out for over a minute after a 15 s freeze of the chat member. With this timeout the call
   * fails within about 8 s and the gateway serves again (Vert.x then stops republishing its own
   * registrations, which the map normally still holds: they have a backup, and only the member
   * that left lost its copies).
   *
   * <p>What a gateway calls is small (event-bus registrations, node info, the API's maps) and
   * answered in milliseconds, so 4 s is far from a slow answer; a call still running remotely is
   * kept alive by operation heartbeats however long it takes. Data members keep the default: the
   * stores' writes keep the timing their guarantees were measured with (docs/cluster.md).
   */
  static void boundLostCalls(Config config, Properties system) {
    if (config.getProperty(CALL_TIMEOUT_PROPERTY) == null && system.getProperty(CALL_TIMEOUT_PROPERTY) == null) {
      config.setProperty(CALL_TIMEOUT_PROPERTY, String.valueOf(LITE_CALL_TIMEOUT_MILLIS));
    }
  }

  static int quorum(String value) {
    if (value == null) {
      return 1;
    }
    try {
      int quorum = Integer.parseInt(value.strip());
      if (quorum >= 1) {
        return quorum;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new IllegalStateException(QUORUM_ENV + " must be a whole number of data members, 1 or more, got '" + value + "'");
  }

  /**
   * Adds the split-brain protection {@value DataMemberQuorum#NAME} (reads and writes, data
   * members counted) to the maps {@value #PROTECTED_MAPS}, unless the file already names one for
   * them. With a quorum of 1 it is off: a lone data member keeps serving (the default, for
   * clusters of one or two data members, where no majority can survive the loss of one).
   * Public for tests that build their own members' configs.
   */
  public static void protectWithQuorum(Config config, int quorum) {
    config.addSplitBrainProtectionConfig(new SplitBrainProtectionConfig(DataMemberQuorum.NAME, quorum > 1,
      Math.max(2, quorum)).setProtectOn(SplitBrainProtectionOn.READ_WRITE)
      .setFunctionImplementation(new DataMemberQuorum(quorum)));
    MapConfig maps = config.getMapConfigOrNull(PROTECTED_MAPS);
    if (maps == null) {
      maps = new MapConfig(PROTECTED_MAPS);
      config.addMapConfig(maps);
    }
    if (maps.getSplitBrainProtectionName() == null) {
      maps.setSplitBrainProtectionName(DataMemberQuorum.NAME);
    }
  }

  /**
   * The quorum this process was started with: data members needed ({@code 1} when the
   * protection is off).
   */
  public static int quorumOf(Config config) {
    SplitBrainProtectionConfig quorum = config.getSplitBrainProtectionConfigs().get(DataMemberQuorum.NAME);
    if (quorum == null || !quorum.isEnabled()) {
      return 1;
    }
    return quorum.getFunctionImplementation() instanceof DataMemberQuorum own ? own.minimum()
      : quorum.getMinimumClusterSize();
  }

  private static Config loadFile(Properties system, Map<String, String> env) {
    Properties properties = new Properties();
    properties.putAll(system);
    for (String[] placeholder : PLACEHOLDERS) {
      if (properties.getProperty(placeholder[0]) == null) {
        properties.setProperty(placeholder[0], env.getOrDefault(placeholder[1], placeholder[2]));
      }
    }
    String discovery = properties.getProperty("switchboard.cluster.discovery").strip();
    switch (discovery) {
      case "tcp-ip" -> {
        properties.setProperty("switchboard.cluster.tcpip.enabled", "true");
        properties.setProperty("switchboard.cluster.kubernetes.enabled", "false");
      }
      case "kubernetes" -> {
        if (properties.getProperty("switchboard.cluster.k8s.service-dns").isBlank()) {
          throw new IllegalStateException("kubernetes discovery needs SWITCHBOARD_CLUSTER_K8S_SERVICE_DNS "
            + "(the headless Service's DNS name)");
        }
        properties.setProperty("switchboard.cluster.tcpip.enabled", "false");
        properties.setProperty("switchboard.cluster.kubernetes.enabled", "true");
      }
      default -> throw new IllegalStateException("cluster discovery must be 'tcp-ip' or 'kubernetes', got '" + discovery + "'");
    }
    String path = firstNonBlank(system.getProperty(CONFIG_PROPERTY), env.get("SWITCHBOARD_CLUSTER_CONFIG"),
      system.getProperty("vertx.hazelcast.config"));
    try {
      if (path != null) {
        Path file = Path.of(path);
        if (!Files.isRegularFile(file)) {
          throw new IllegalStateException("cluster config file " + file.toAbsolutePath() + " does not exist");
        }
        try (InputStream in = Files.newInputStream(file)) {
          return new XmlConfigBuilder(in).setProperties(properties).build();
        }
      }
      try (InputStream in = ClusterConfigLoader.class.getClassLoader().getResourceAsStream(CLASSPATH_CONFIG)) {
        if (in == null) {
          throw new IllegalStateException("no " + CLASSPATH_CONFIG + " on the classpath");
        }
        return new XmlConfigBuilder(in).setProperties(properties).build();
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot read cluster config " + path + ": " + e.getMessage(), e);
    }
  }

  private static String firstNonBlank(String... values) {
    for (String value : values) {
      if (value != null && !value.isBlank()) {
        return value;
      }
    }
    return null;
  }
}
