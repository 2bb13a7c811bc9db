package io.github.switchboard.gateway.service;

import io.github.switchboard.protocol.Addresses;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;

/** The gateway's side of the score simulator: the current events, from the cluster's state. */
public final class ScoresClient {

  private final EventBus eventBus;
  private final DeliveryOptions options;

  public ScoresClient(EventBus eventBus, long timeoutMs) {
    this.eventBus = eventBus;
    this.options = new DeliveryOptions().setSendTimeout(timeoutMs);
  }

  /** The five events, in id order. */
  public Future<JsonArray> snapshot() {
    return eventBus.<JsonArray>request(Addresses.SCORES_SNAPSHOT, null, options).map(reply -> reply.body());
  }
}
