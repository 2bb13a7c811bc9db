package io.github.switchboard.gateway.config;

import io.github.switchboard.launcher.settings.Settings;
import io.vertx.core.json.JsonObject;

/**
 * The gateway's side of the chat service and the simulator.
 *
 * @param timeoutMs how long the gateway waits for a service to answer a request
 * @param embedded  deploy chat and simulator in the gateway's JVM when not clustered
 * @param chat      the chat service's config in embedded mode (its own keys, read by it)
 * @param simulator the simulator's config in embedded mode
 */
public record ServiceOptions(long timeoutMs, boolean embedded, JsonObject chat, JsonObject simulator) {

  public static final long DEFAULT_TIMEOUT_MS = 5_000;
  public static final boolean DEFAULT_EMBEDDED = true;

  static ServiceOptions from(Settings s) {
    return new ServiceOptions(
      s.longIn("serviceTimeoutMs", DEFAULT_TIMEOUT_MS, 1, Long.MAX_VALUE),
      s.bool("embeddedServices", DEFAULT_EMBEDDED),
      s.object("chat"),
      s.object("simulator"));
  }

  /** A copy: the record stays immutable whoever deploys with it. */
  @Override
  public JsonObject chat() {
    return chat.copy();
  }

  @Override
  public JsonObject simulator() {
    return simulator.copy();
  }
}
