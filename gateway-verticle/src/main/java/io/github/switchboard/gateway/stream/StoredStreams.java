package io.github.switchboard.gateway.stream;

import io.github.switchboard.coordination.history.StreamHistory;
import io.github.switchboard.protocol.Delivery;
import io.vertx.core.Future;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The stream groups the gateways sequence themselves, read from their store. A stored message
 * is the published {@code data} as JSON text; every stream delivery is JSON, sent to every
 * member (its sender included).
 */
public final class StoredStreams implements StreamReader {

  private final StreamHistory store;

  public StoredStreams(StreamHistory store) {
    this.store = store;
  }

  StreamHistory store() {
    return store;
  }

  @Override
  public Future<Replay> since(String group, long afterOffset) {
    return store.since(group, afterOffset).map(page -> {
      List<Delivery> deliveries = new ArrayList<>(page.entries().size());
      for (StreamHistory.Entry entry : page.entries()) {
        deliveries.add(delivery(entry.offset(), entry.timestamp(), entry.payload(), page.epoch(), null));
      }
      return new Replay(deliveries, page.complete(), page.top(), page.epoch());
    });
  }

  @Override
  public Future<Map<String, StreamHistory.Position>> positions(Collection<String> groups) {
    return store.positions(groups);
  }

  /** A stream group's message as it travels: JSON data, to every member. */
  static Delivery delivery(long offset, long timestamp, String data, String epoch, String sender) {
    return new Delivery(Delivery.Kind.JSON, offset, sender, true, timestamp, data.getBytes(StandardCharsets.UTF_8), epoch);
  }
}
