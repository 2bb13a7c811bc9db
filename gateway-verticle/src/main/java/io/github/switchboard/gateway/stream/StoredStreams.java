package io.github.switchboard.gateway.stream;

import io.github.switchboard.coordination.history.StreamHistory;
import io.github.switchboard.protocol.Delivery;
import io.vertx.core.Future;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The stream groups the gateways sequence themselves, read from their store.
 *
 * <p>A stored message is, for the common case (a JSON publish that every member gets, its
 * sender included), the published {@code data} as JSON text, as it is. Any other delivery (a
 * hub frame: text or binary, never back to its sender) is stored as {@value #FRAMED} followed
 * by its kind, whether it echoes, its sender and its payload in base64, separated by
 * {@code '|'}: JSON text never starts with that control character, so the two cannot be
 * confused, and a replay writes the frame as it was published.
 */
public final class StoredStreams implements StreamReader {

  private final StreamHistory store;

  public StoredStreams(StreamHistory store) {
    this.store = store;
  }

  StreamHistory store() {
    return store;
  }

  /** First character of a stored message that is not plain JSON data to everyone. */
  static final char FRAMED = '\u0001';

  @Override
  public Future<Replay> since(String group, long afterOffset) {
    return store.since(group, afterOffset).map(page -> {
      List<Delivery> deliveries = new ArrayList<>(page.entries().size());
      for (StreamHistory.Entry entry : page.entries()) {
        deliveries.add(stored(entry.offset(), entry.timestamp(), entry.payload(), page.epoch()));
      }
      return new Replay(deliveries, page.complete(), page.top(), page.epoch());
    });
  }

  @Override
  public Future<Map<String, StreamHistory.Position>> positions(Collection<String> groups) {
    return store.positions(groups);
  }

  /** How a delivery is stored: its JSON data as it is when it may, else framed. */
  static String storedForm(Delivery delivery) {
    if (delivery.kind() == Delivery.Kind.JSON && delivery.echo()) {
      return new String(delivery.payload(), StandardCharsets.UTF_8);
    }
    return FRAMED + delivery.kind().name() + "|" + (delivery.echo() ? "1" : "0") + "|"
      + (delivery.sender() == null ? "" : delivery.sender()) + "|" + Base64.getEncoder().encodeToString(delivery.payload());
  }

  /** A stored message back as the delivery it was, with its offset and epoch. */
  static Delivery stored(long offset, long timestamp, String stored, String epoch) {
    if (stored.isEmpty() || stored.charAt(0) != FRAMED) {
      return new Delivery(Delivery.Kind.JSON, offset, null, true, timestamp, stored.getBytes(StandardCharsets.UTF_8), epoch);
    }
    String[] parts = stored.substring(1).split("\\|", 4);
    return new Delivery(Delivery.Kind.valueOf(parts[0]), offset, parts[2].isEmpty() ? null : parts[2], "1".equals(parts[1]),
      timestamp, Base64.getDecoder().decode(parts[3]), epoch);
  }
}
