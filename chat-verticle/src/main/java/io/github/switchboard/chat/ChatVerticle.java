package io.github.switchboard.chat;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/** The chat service: intake, validation, per-room sequence and history, publication. */
public class ChatVerticle extends VerticleBase {

  @Override
  public Future<?> start() {
    return Future.succeededFuture();
  }
}
