package io.github.switchboard.chat;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;

/**
 * History in this process's heap: for the embedded mode, where the chat service lives in the
 * gateway's JVM and there is no cluster to hold it. Used from the chat verticle's event loop.
 */
final class LocalRoomHistory implements RoomHistory {

  private final int capacity;
  private final Map<String, Room> rooms = new HashMap<>();

  LocalRoomHistory(int capacity) {
    this.capacity = capacity;
  }

  private static final class Room {
    long lastSeq;
    final ArrayDeque<JsonObject> messages = new ArrayDeque<>();
  }

  @Override
  public Future<JsonObject> append(String room, LongFunction<JsonObject> build) {
    Room r = rooms.computeIfAbsent(room, k -> new Room());
    JsonObject message = build.apply(r.lastSeq + 1);
    r.lastSeq++;
    r.messages.addLast(message);
    if (r.messages.size() > capacity) {
      r.messages.removeFirst();
    }
    return Future.succeededFuture(message);
  }

  @Override
  public Future<Page> since(String room, long afterSeq) {
    Room r = rooms.get(room);
    if (r == null) {
      return Future.succeededFuture(new Page(List.of(), afterSeq == 0));
    }
    List<JsonObject> out = new ArrayList<>();
    long oldest = r.lastSeq - r.messages.size() + 1;
    for (JsonObject m : r.messages) {
      if (m.getLong("seq") > afterSeq) {
        out.add(m);
      }
    }
    boolean complete = afterSeq + 1 >= oldest && afterSeq <= r.lastSeq;
    return Future.succeededFuture(new Page(out, complete));
  }
}
