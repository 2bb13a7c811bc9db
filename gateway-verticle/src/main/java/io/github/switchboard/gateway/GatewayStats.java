package io.github.switchboard.gateway;

import io.github.switchboard.protocol.ErrorCode;
import io.vertx.core.json.JsonObject;

import java.util.EnumMap;
import java.util.Map;

/**
 * Counters of one gateway. Every socket and every group consumer of a gateway runs on the
 * gateway verticle's event loop, so plain fields are enough; readers (the stats route) run on
 * that loop too.
 */
public final class GatewayStats {

  private long connectionsOpened;
  private long messagesIn;
  private long messagesOut;
  private long messagesDropped;
  private final Map<ErrorCode, Long> errors = new EnumMap<>(ErrorCode.class);

  public void connectionOpened() {
    connectionsOpened++;
  }

  public void messageIn() {
    messagesIn++;
  }

  public void messageOut() {
    messagesOut++;
  }

  public void messageDropped() {
    messagesDropped++;
  }

  public void error(ErrorCode code) {
    errors.merge(code, 1L, Long::sum);
  }

  public long messagesDropped() {
    return messagesDropped;
  }

  public JsonObject toJson() {
    JsonObject errorCounts = new JsonObject();
    errors.forEach((code, count) -> errorCounts.put(code.code(), count));
    return new JsonObject()
      .put("connectionsOpened", connectionsOpened)
      .put("messagesIn", messagesIn)
      .put("messagesOut", messagesOut)
      .put("messagesDropped", messagesDropped)
      .put("errors", errorCounts);
  }
}
