package io.github.switchboard.gateway.session;

import io.vertx.core.json.JsonObject;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a Server-Sent Events connection stands in each stream group it follows: the offset and
 * epoch of the last message written to it. Every event with an offset carries the whole cursor
 * as its {@code id}, so the {@code Last-Event-ID} an EventSource sends when it reconnects
 * recovers every group of the connection, not only the last event's (docs/protocol.md,
 * "Without WebSocket"). Only such connections have one, made at their first stream message.
 */
final class EventCursor {

  private record Position(long offset, String epoch) {
  }

  private final Map<String, Position> positions = new LinkedHashMap<>(4);

  /** The message at {@code offset} of {@code group} is written: the id that goes with it. */
  String advance(String group, long offset, String epoch) {
    positions.put(group, new Position(offset, epoch));
    return encode();
  }

  void forget(String group) {
    positions.remove(group);
  }

  /** {@code {"group":{"offset":N,"epoch":E},...}}: the shape of the stream's {@code since} parameter. */
  private String encode() {
    JsonObject id = new JsonObject();
    for (Map.Entry<String, Position> entry : positions.entrySet()) {
      JsonObject position = new JsonObject().put("offset", entry.getValue().offset());
      if (entry.getValue().epoch() != null) {
        position.put("epoch", entry.getValue().epoch());
      }
      id.put(entry.getKey(), position);
    }
    return id.encode();
  }
}
