package io.github.switchboard.gateway.socket;

import io.github.switchboard.gateway.fanout.GroupRegistry;
import io.github.switchboard.gateway.service.ChatClient;
import io.github.switchboard.protocol.ClientFrameParser;
import io.github.switchboard.protocol.ErrorCode;
import io.github.switchboard.protocol.Groups;
import io.github.switchboard.protocol.ProtocolException;
import io.vertx.core.json.JsonObject;

/**
 * {@code /ws/chat/{room}}: the Django chat of the seed app. The room was validated before the
 * upgrade; messages go to the chat service, which publishes them to every socket of the room,
 * the sender's included.
 */
public final class ChatSocket implements SocketAdapter {

  private final GroupRegistry groups;
  private final FrameWriter writer;
  private final ChatClient chat;

  public ChatSocket(GroupRegistry groups, FrameWriter writer, ChatClient chat) {
    this.groups = groups;
    this.writer = writer;
    this.chat = chat;
  }

  @Override
  public Endpoint endpoint() {
    return Endpoint.CHAT;
  }

  /** The room is the last path segment; the route checked it before upgrading. */
  static String roomOf(Session session) {
    String path = session.path();
    return path.substring(path.lastIndexOf('/') + 1);
  }

  @Override
  public void open(Session session) {
    String room = roomOf(session);
    // Welcome once the room's consumer is registered across the cluster: from then on the
    // socket gets every message of the room, its own first one included.
    groups.join(Groups.chat(room), session).onComplete(ar -> writer.reply(session, new JsonObject()
      .put("type", "welcome").put("connectionId", session.id()).put("sender", session.sender())
      .put("room", room).encode()));
  }

  @Override
  public void text(Session session, String text) {
    JsonObject frame;
    try {
      frame = ClientFrameParser.parseObject(text);
    } catch (ProtocolException e) {
      writer.error(session, e);
      return;
    }
    Object message = frame.getValue("message");
    if (message == null) {
      writer.error(session, ErrorCode.INVALID_FIELD, "missing field 'message'", null);
      return;
    }
    if (!(message instanceof String)) {
      writer.error(session, ErrorCode.INVALID_FIELD, "field 'message' must be a string", null);
      return;
    }
    // Success needs no reply: the message itself comes back through the room's group.
    chat.send(roomOf(session), session.sender(), message).onFailure(e -> writer.serviceError(session, e, null));
  }
}
