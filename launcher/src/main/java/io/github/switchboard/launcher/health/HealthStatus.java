package io.github.switchboard.launcher.health;

/**
 * Where a process is in its life, as {@code /health/ready} reports it. It moves forward:
 * STARTING -> UP -> DRAINING (or STARTING -> DRAINING when a start is abandoned); a gateway
 * goes from UP to UNREACHABLE and back while it is cut off from the cluster.
 */
public enum HealthStatus {
  /** Deploying: not listening yet, or its consumers are not registered yet. */
  STARTING,
  /** Takes traffic; the only status answered with 200. */
  UP,
  /**
   * Started, but cut off from the cluster (it sees fewer data members than the quorum): it takes
   * nothing until it sees them again, then it is UP once more.
   */
  UNREACHABLE,
  /** Stopping: it finishes what it has and takes nothing new. */
  DRAINING
}
