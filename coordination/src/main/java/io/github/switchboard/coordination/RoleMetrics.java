package io.github.switchboard.coordination;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.micrometer.backends.BackendRegistries;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * A service role in the process's metrics: {@code switchboard_role_active{role}} is 1 on the
 * instance that holds it (summed over the instances, it must be 1: 2 is two actives, 0 none;
 * docs/operations.md has the alerts), and {@code switchboard_role_changes_total{role,change}}
 * counts every take and loss (a role that moves often is a cluster that keeps splitting or a
 * process that stalls).
 */
final class RoleMetrics {

  /** How a role came or went. */
  enum Change {
    /** This instance took the role. */
    ACQUIRED,
    /** It lost it: too little of the cluster seen, a stall, a store refused its token. */
    LOST,
    /** It gave it up after failing to take the work on. */
    RESIGNED,
    /** It released it on a clean stop. */
    RELEASED
  }

  private final Map<Change, Counter> changes = new EnumMap<>(Change.class);

  private RoleMetrics(MeterRegistry registry, String role, BooleanSupplier active) {
    Gauge.builder("switchboard.role.active", () -> active.getAsBoolean() ? 1 : 0)
      .description("1 on the instance that holds the service role, 0 on a standby")
      .tag("role", role).register(registry);
    for (Change change : Change.values()) {
      changes.put(change, Counter.builder("switchboard.role.changes")
        .description("Times this instance took or gave up the service role, by how")
        .tag("role", role).tag("change", change.name().toLowerCase(Locale.ROOT)).register(registry));
    }
  }

  static RoleMetrics of(MeterRegistry registry, String role, BooleanSupplier active) {
    return new RoleMetrics(registry, role, active);
  }

  /** The process's registry (the one /metrics serves); a private one when metrics are off. */
  static MeterRegistry processRegistry() {
    MeterRegistry found = BackendRegistries.getDefaultNow();
    return found == null ? new SimpleMeterRegistry() : found;
  }

  void changed(Change change) {
    changes.get(change).increment();
  }
}
