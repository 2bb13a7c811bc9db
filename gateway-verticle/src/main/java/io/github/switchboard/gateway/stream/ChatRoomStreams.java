package io.github.switchboard.gateway.stream;

import io.github.switchboard.coordination.history.StreamHistory;
import io.github.switchboard.gateway.service.ChatClient;
import io.github.switchboard.protocol.Delivery;
import io.github.switchboard.protocol.Groups;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Chat rooms as streams, read through the chat service (which numbers and keeps them). A stored
 * chat message comes back as the JSON its room's sockets got, {@code seq} and {@code epoch}
 * included.
 */
public final class ChatRoomStreams implements StreamReader {

  private final ChatClient chat;

  public ChatRoomStreams(ChatClient chat) {
    this.chat = chat;
  }

  @Override
  public Future<Replay> since(String group, long afterOffset) {
    return chat.history(Groups.roomOf(group), afterOffset).map(history -> {
      JsonArray messages = history.getJsonArray("messages", new JsonArray());
      List<Delivery> deliveries = new ArrayList<>(messages.size());
      for (Object item : messages) {
        deliveries.add(delivery((JsonObject) item));
      }
      return new Replay(deliveries, history.getBoolean("recovered", false), history.getLong("top", 0L),
        history.getString("epoch"));
    });
  }

  @Override
  public Future<Map<String, StreamHistory.Position>> positions(Collection<String> groups) {
    List<String> rooms = groups.stream().map(Groups::roomOf).toList();
    return chat.positions(rooms).map(reply -> {
      Map<String, StreamHistory.Position> out = new HashMap<>();
      reply.forEach(entry -> {
        JsonObject position = (JsonObject) entry.getValue();
        out.put(Groups.chat(entry.getKey()), new StreamHistory.Position(position.getLong("top"), position.getString("epoch")));
      });
      return out;
    });
  }

  /** A stored chat message as the chat service published it. */
  static Delivery delivery(JsonObject message) {
    return new Delivery(Delivery.Kind.JSON, message.getLong("seq", Delivery.NO_SEQ), message.getString("sender"), true,
      message.getLong("ts", 0L), message.encode().getBytes(StandardCharsets.UTF_8), message.getString("epoch"));
  }
}
