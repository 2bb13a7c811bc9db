package io.github.switchboard.coordination.fence;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

/** Role tokens of one JVM (embedded mode), shared by every verticle in it. */
public final class LocalRoleFence implements RoleFence {

  private final Vertx vertx;

  public LocalRoleFence(Vertx vertx) {
    this.vertx = vertx;
  }

  @Override
  public Future<Long> next(String role) {
    return vertx.sharedData().getLocalCounter("switchboard.roles." + role).compose(counter -> counter.incrementAndGet());
  }
}
