package io.github.switchboard.launcher.health;

/**
 * Whether a process should get traffic, shared by the thread that starts and stops it and the
 * threads that answer probes (hence volatile).
 */
public final class Readiness {

  private volatile HealthStatus status = HealthStatus.STARTING;

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

  public HealthStatus status() {
    return status;
  }

  public boolean isDraining() {
    return status == HealthStatus.DRAINING;
  }

  public boolean isReady() {
    return status == HealthStatus.UP;
  }
}
