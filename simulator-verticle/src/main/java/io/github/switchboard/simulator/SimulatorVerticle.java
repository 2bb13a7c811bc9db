package io.github.switchboard.simulator;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/** The live-score simulator and the random stream. */
public class SimulatorVerticle extends VerticleBase {

  @Override
  public Future<?> start() {
    return Future.succeededFuture();
  }
}
