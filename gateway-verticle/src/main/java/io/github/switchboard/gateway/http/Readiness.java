package io.github.switchboard.gateway.http;

/**
 * Whether this gateway should receive traffic: true once it listens (and, clustered, has
 * joined, which Vert.x has done before any verticle starts), false again while it drains.
 */
public final class Readiness {

  private volatile boolean listening;
  private volatile boolean draining;

  public void listening() {
    listening = true;
  }

  public void draining() {
    draining = true;
  }

  public boolean isDraining() {
    return draining;
  }

  public boolean isReady() {
    return listening && !draining;
  }
}
