package io.github.switchboard.gateway.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.micrometer.backends.BackendRegistries;

/** Which Prometheus registry a gateway reports to. */
public final class Registries {

  private Registries() {
  }

  /**
   * The registry Vert.x's metrics were set up with by the launcher (Vert.x and JVM meters
   * included); when Vert.x runs without metrics (a test, an embedding application), a registry
   * of the gateway's own with the JVM meters.
   */
  public static PrometheusMeterRegistry forGateway() {
    MeterRegistry shared = BackendRegistries.getDefaultNow();
    if (shared instanceof PrometheusMeterRegistry prometheus) {
      return prometheus;
    }
    PrometheusMeterRegistry own = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(own);
    new JvmGcMetrics().bindTo(own);
    new JvmThreadMetrics().bindTo(own);
    new ProcessorMetrics().bindTo(own);
    return own;
  }
}
