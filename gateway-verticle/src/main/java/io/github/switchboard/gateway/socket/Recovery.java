package io.github.switchboard.gateway.socket;

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

  /** What a finished recovery hands back. */
  record Held(List<Delivery> deliveries, boolean overflowed) {
  }

  private final Map<String, List<Delivery>> held = new HashMap<>();
  private final Map<String, Boolean> overflowed = new HashMap<>();

  void begin(String group) {
    held.put(group, new ArrayList<>());
    overflowed.put(group, false);
  }

  boolean holds(String group) {
    return held.containsKey(group);
  }

  void hold(String group, Delivery delivery) {
    List<Delivery> list = held.get(group);
    if (list.size() < MAX_HELD) {
      list.add(delivery);
    } else {
      overflowed.put(group, true);
    }
  }

  /** Ends the recovery of the group; returns what was held, oldest first. */
  List<Delivery> end(String group) {
    overflowed.remove(group);
    List<Delivery> list = held.remove(group);
    return list == null ? List.of() : list;
  }

  boolean overflowed(String group) {
    return overflowed.getOrDefault(group, false);
  }

  boolean isEmpty() {
    return held.isEmpty();
  }
}
