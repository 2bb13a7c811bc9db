package io.github.switchboard.gateway.http;

/**
 * Whether this gateway should receive traffic: ready once it listens (and, clustered, has
 * joined, which Vert.x has done before any verticle starts), not ready again while it drains.
 * The state and the body it gives {@code /health/ready} are the shared ones of every process
 * ({@link io.github.switchboard.launcher.health.Readiness}); this subclass only keeps the
 * gateway's word for "up".
 */
public final class Readiness extends io.github.switchboard.launcher.health.Readiness {

  /** The HTTP server listens: the gateway is ready, unless it already drains. */
  public void listening() {
    up();
  }
}
