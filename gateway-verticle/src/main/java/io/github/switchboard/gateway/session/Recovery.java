package io.github.switchboard.gateway.session;

import io.github.switchboard.protocol.Delivery;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Live deliveries held back for a socket while its {@code subscribe} with {@code since} fetches
 * history, so that history and live messages reach it in seq order without duplicates. Exists
 * only while a recovery runs; a session has none otherwise.
 */
public final class Recovery {

  /** Live deliveries held per group; past this the recovery reports {@code recovered:false}. */
  public static final int MAX_HELD = 10_000;

  /** What a finished recovery hands back: the held deliveries, oldest first, and whether some were dropped. */
  public record Held(List<Delivery> deliveries, boolean overflowed) {
  }

  /** Per group being recovered: what is held and whether {@link #MAX_HELD} was passed. */
  private static final class Buffer {
    final List<Delivery> deliveries = new ArrayList<>();
    boolean overflowed;
  }

  private final Map<String, Buffer> groups = new HashMap<>();

  void begin(String group) {
    groups.put(group, new Buffer());
  }

  boolean holds(String group) {
    return groups.containsKey(group);
  }

  void hold(String group, Delivery delivery) {
    Buffer buffer = groups.get(group);
    if (buffer.deliveries.size() < MAX_HELD) {
      buffer.deliveries.add(delivery);
    } else {
      buffer.overflowed = true;
    }
  }

  /** Ends the recovery of the group; a group not being recovered hands back nothing. */
  Held end(String group) {
    Buffer buffer = groups.remove(group);
    return buffer == null ? new Held(List.of(), false) : new Held(buffer.deliveries, buffer.overflowed);
  }

  boolean isEmpty() {
    return groups.isEmpty();
  }
}
