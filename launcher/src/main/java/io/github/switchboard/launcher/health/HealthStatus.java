package io.github.switchboard.launcher.health;

/**
 * Where a process is in its life, as {@code /health/ready} reports it. It only moves forward:
 * STARTING -> UP -> DRAINING (or STARTING -> DRAINING when a start is abandoned).
 */
public enum HealthStatus {
  /** Deploying: not listening yet, or its consumers are not registered yet. */
  STARTING,
  /** Takes traffic; the only status answered with 200. */
  UP,
  /** Stopping: it finishes what it has and takes nothing new. */
  DRAINING
}
