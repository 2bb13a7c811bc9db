package io.github.switchboard.launcher.health;

/**
 * Whether a process should get traffic, shared by the thread that starts and stops it and the
 * threads that answer probes (hence volatile).
 */
public final class Readiness {

  private volatile HealthStatus status = HealthStatus.STARTING;
  private volatile boolean cutOff;

  /** The process is ready. Ignored once it drains, so that a late start cannot revive a stopping process. */
  public void up() {
    synchronized (this) {
      if (status == HealthStatus.STARTING) {
        status = HealthStatus.UP;
      }
    }
  }

  /** The process is stopping; final. */
  public void draining() {
    status = HealthStatus.DRAINING;
  }

  /** Whether the process is cut off from the cluster now (reported as UNREACHABLE while UP). */
  public void cutOff(boolean cutOff) {
    this.cutOff = cutOff;
  }

  public boolean isCutOff() {
    return cutOff;
  }

  public HealthStatus status() {
    HealthStatus now = status;
    return now == HealthStatus.UP && cutOff ? HealthStatus.UNREACHABLE : now;
  }

  public boolean isDraining() {
    return status == HealthStatus.DRAINING;
  }

  public boolean isReady() {
    return status() == HealthStatus.UP;
  }
}
