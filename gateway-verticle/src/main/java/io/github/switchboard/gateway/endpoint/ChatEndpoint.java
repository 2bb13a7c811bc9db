package io.github.switchboard.gateway.endpoint;

import io.github.switchboard.gateway.session.Session;
import io.github.switchboard.gateway.session.Endpoint;
import io.github.switchboard.gateway.session.EndpointHandler;
import io.github.switchboard.gateway.transport.FrameWriter;
import io.github.switchboard.gateway.fanout.GroupRegistry;
import io.github.switchboard.gateway.proxy.GroupHooks;
import io.github.switchboard.gateway.service.ChatClient;
import io.github.switchboard.protocol.ClientFrameParser;
import io.github.switchboard.protocol.ErrorCode;
import io.github.switchboard.protocol.Groups;
import io.github.switchboard.protocol.ProtocolException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

/**
 * {@code /ws/chat/{room}}: the chat rooms of the Django Channels seed app. The room was validated before the
 * upgrade; messages go to the chat service, which publishes them to every socket of the room,
 * the sender's included.
 */
public final class ChatEndpoint implements EndpointHandler {

  /** What a room name must look like, for the 400 answer to an upgrade with a bad one. */
  public static final String ROOM_RULE = "room must match [A-Za-z0-9_-]{1," + Groups.MAX_ROOM_LENGTH + "}";

  private final GroupRegistry groups;
  private final FrameWriter writer;
  private final ChatClient chat;
  private final GroupHooks hooks;

  /** @param hooks the backend's publish hook, asked about each message when it covers the room's group */
  public ChatEndpoint(GroupRegistry groups, FrameWriter writer, ChatClient chat, GroupHooks hooks) {
    this.hooks = hooks;
    this.groups = groups;
    this.writer = writer;
    this.chat = chat;
  }

  @Override
  public Endpoint endpoint() {
    return Endpoint.CHAT;
  }

  /** The room is the last path segment; {@link #fixedGroup} checked it before upgrading. */
  static String roomOf(Session session) {
    return roomOf(session.path());
  }

  private static String roomOf(String path) {
    return path.substring(path.lastIndexOf('/') + 1);
  }

  /** {@code chat.<room>}, for a room name that matches {@link Groups#isValidRoom}. */
  @Override
  public String fixedGroup(String path) {
    String room = roomOf(path);
    if (!path.startsWith("/ws/chat/") || path.indexOf('/', "/ws/chat/".length()) >= 0 || !Groups.isValidRoom(room)) {
      throw new IllegalArgumentException(ROOM_RULE);
    }
    return Groups.chat(room);
  }

  /** A chat socket sends messages to its room. */
  @Override
  public boolean publishesToFixedGroup() {
    return true;
  }

  /**
   * Joins the room. The seed client knows only message frames: a {@code welcome} (the
   * connection id and sender a page needs to mark its own messages) goes only to a client that
   * asked for it with {@code ?welcome=1}, once the room's consumer is registered across the
   * cluster: from then on the socket gets every message of the room, its own first one included.
   */
  @Override
  public void open(Session session) {
    String room = roomOf(session);
    groups.join(Groups.chat(room), session).onComplete(ar -> {
      if (session.greet()) {
        writer.reply(session, new JsonObject().put("type", "welcome").put("connectionId", session.id())
          .put("sender", session.sender()).put("room", room).encode());
      }
    });
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
    String group = Groups.chat(roomOf(session));
    if (hooks.asksPublish(group)) {
      String user = session.principal() == null ? null : session.principal().subject();
      hooks.publish(group, Json.encode(message), session.id(), user).onSuccess(decision -> {
        if (session.closing() || session.closed()) {
          return;
        }
        if (!decision.allowed()) {
          writer.error(session, decision.error(), decision.message(), null, decision.reason());
          return;
        }
        Object replaced = decision.dataJson() == null ? message : Json.decodeValue(decision.dataJson());
        if (!(replaced instanceof String content) || content.isBlank()) {
          // A chat message is a string: the seed clients could not show anything else.
          writer.error(session, ErrorCode.BACKEND_ERROR, "the backend replaced the message with something that is not text",
            null);
          return;
        }
        send(session, content);
      });
      return;
    }
    send(session, (String) message);
  }

  /** Success needs no reply: the message itself comes back through the room's group. */
  private void send(Session session, String message) {
    chat.send(roomOf(session), session.sender(), message).onFailure(e -> writer.serviceError(session, e, null));
  }
}
