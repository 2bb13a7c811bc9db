package io.github.switchboard.launcher;

import com.hazelcast.config.Config;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.launcher.application.ExitCodes;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.launcher.application.HookContext;
import io.vertx.launcher.application.VertxApplication;
import io.vertx.launcher.application.VertxApplicationHooks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.List;

/**
 * Main class of every fat jar. It is Vert.x's {@link VertxApplication} (same flags: {@code -conf},
 * {@code -cluster}, {@code -cluster-host}, {@code -cluster-port}) plus two checks Vert.x does not
 * make: a {@code -conf} that is neither a readable file nor inline JSON, and a cluster config
 * path that does not exist, stop the process instead of starting it with defaults.
 */
public final class SwitchboardLauncher extends VertxApplication {

  private static final java.util.List<String> REFUSED_LOG_SETTINGS = new java.util.ArrayList<>();

  static {
    // logback.xml reads these before anything is logged; a value it does not know would
    // silence every log line (format) or turn on DEBUG (level), so only known values pass.
    normalizeLogSetting("SWITCHBOARD_LOG_FORMAT", java.util.List.of("TEXT", "JSON"), "TEXT");
    normalizeLogSetting("SWITCHBOARD_LOG_LEVEL", java.util.List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR"), "INFO");
    // VertxApplication's own static logger has configured logback already, with the raw
    // values: configure it again now that the system properties hold the checked ones.
    if (LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext context) {
      context.reset();
      try {
        new ch.qos.logback.classic.util.ContextInitializer(context).autoConfig();
      } catch (ch.qos.logback.core.joran.spi.JoranException e) {
        System.err.println("logging configuration failed: " + e.getMessage());
      }
    }
  }

  private static final Logger log = LoggerFactory.getLogger(SwitchboardLauncher.class);

  private static void normalizeLogSetting(String name, java.util.List<String> known, String fallback) {
    String value = System.getProperty(name, System.getenv(name));
    if (value == null) {
      return;
    }
    String upper = value.strip().toUpperCase(java.util.Locale.ROOT);
    System.setProperty(name, known.contains(upper) ? upper : fallback);
    if (!known.contains(upper)) {
      // Logged once logback is configured again with the checked values (main, first thing).
      REFUSED_LOG_SETTINGS.add(name + "=" + value + " is not one of " + known + "; using " + fallback);
    }
  }

  /**
   * Vert.x finds the {@code Main-Verticle} entry in the manifest whose {@code Main-Class} is the
   * launching class, so this class must be the VertxApplication itself.
   */
  SwitchboardLauncher(String[] args, Config clusterConfig, TransportSelector.Choice transport) {
    super(args, new Hooks(clusterConfig, transport));
  }

  public static void main(String[] args) {
    REFUSED_LOG_SETTINGS.forEach(log::warn);
    List<String> arguments = Arrays.asList(args);
    try {
      LaunchArguments.checkConf(arguments);
    } catch (IllegalArgumentException e) {
      log.error("Start-up failed: {}", e.getMessage());
      System.exit(ExitCodes.USAGE);
      return;
    }
    TransportSelector.Choice transport;
    try {
      transport = TransportSelector.select();
    } catch (IllegalArgumentException e) {
      log.error("Start-up failed: {}", e.getMessage());
      System.exit(ExitCodes.VERTX_INITIALIZATION);
      return;
    }
    boolean clustered = arguments.contains("-cluster") || arguments.contains("--cluster");
    Config clusterConfig = null;
    if (clustered) {
      try {
        clusterConfig = ClusterConfigLoader.load(JarManifest.liteMemberByDefault());
      } catch (RuntimeException e) {
        log.error("Start-up failed: {}", e.getMessage());
        System.exit(ExitCodes.VERTX_INITIALIZATION);
        return;
      }
    }
    int code = new SwitchboardLauncher(args, clusterConfig, transport).launch();
    if (code != 0) {
      System.exit(code);
    }
  }

  private static final class Hooks implements VertxApplicationHooks {

    /** Null when not clustered. */
    private final Config clusterConfig;
    private final TransportSelector.Choice transport;
    private SwitchboardClusterManager clusterManager;
    private ClusterMetrics clusterMetrics;

    Hooks(Config clusterConfig, TransportSelector.Choice transport) {
      this.clusterConfig = clusterConfig;
      this.transport = transport;
    }

    @Override
    public VertxBuilder createVertxBuilder(VertxOptions options) {
      // Vert.x's own metrics (HTTP server, event bus, pools) and the JVM's, in one Prometheus
      // registry that the gateway serves at /metrics next to its own meters.
      options.setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true).setJvmMetricsEnabled(true)
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true)));
      VertxBuilder builder = Vertx.builder().with(options).withMetrics(new MicrometerMetricsFactory())
        .withTransport(transport.transport());
      log.info("Network transport: {} ({})", transport.transport().name(), transport.reason());
      if (clusterConfig != null) {
        Config config = clusterConfig;
        log.info("Joining Hazelcast cluster '{}' as a {} member (members {})", config.getClusterName(),
          config.isLiteMember() ? "lite (no data)" : "data",
          config.getNetworkConfig().getJoin().getTcpIpConfig().isEnabled()
            ? config.getNetworkConfig().getJoin().getTcpIpConfig().getMembers() : "by discovery");
        clusterManager = new SwitchboardClusterManager(config);
        builder.withClusterManager(clusterManager);
      }
      return builder;
    }

    @Override
    public void afterVertxStarted(HookContext context) {
      // Every process reports the cluster as it sees it, so that a split shows as disagreement.
      if (clusterManager != null && clusterManager.getHazelcastInstance() != null) {
        io.micrometer.core.instrument.MeterRegistry registry = io.vertx.micrometer.backends.BackendRegistries.getDefaultNow();
        if (registry != null) {
          clusterMetrics = ClusterMetrics.start(context.vertx(), clusterManager.getHazelcastInstance(), registry);
        }
      }
    }

    @Override
    public void beforeStoppingVertx(HookContext context) {
      if (clusterMetrics != null) {
        clusterMetrics.stop();
      }
    }

    @Override
    public void afterFailureToStartVertx(HookContext context, Throwable t) {
      log.error("Start-up failed: could not start Vert.x{}: {}", clusterConfig != null ? " or join the cluster" : "", t.getMessage(), t);
    }

    @Override
    public void afterFailureToDeployVerticle(HookContext context, Throwable t) {
      log.error("Start-up failed: could not deploy {}: {}", context.mainVerticle(), t.getMessage(), t);
    }
  }
}
