package io.github.switchboard.gateway.endpoint;

import io.github.switchboard.gateway.session.Session;
import io.github.switchboard.gateway.session.Endpoint;
import io.github.switchboard.gateway.session.EndpointHandler;
import io.github.switchboard.gateway.transport.FrameWriter;
import io.github.switchboard.gateway.session.Recovery;
import io.github.switchboard.gateway.auth.GroupPolicy;
import io.github.switchboard.gateway.fanout.GroupRegistry;
import io.github.switchboard.gateway.presence.PresenceTracker;
import io.github.switchboard.gateway.service.ChatClient;
import io.github.switchboard.protocol.ClientFrame;
import io.github.switchboard.protocol.ClientFrameParser;
import io.github.switchboard.protocol.Delivery;
import io.github.switchboard.protocol.ErrorCode;
import io.github.switchboard.protocol.Groups;
import io.github.switchboard.protocol.ProtocolException;
import io.github.switchboard.protocol.ServerFrames;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;

/**
 * {@code /ws}: one socket, many groups. Requests are parsed by {@link ClientFrameParser}; every
 * reply echoes the request's {@code id}.
 */
public final class MultiplexEndpoint implements EndpointHandler {

  private static final Logger log = LoggerFactory.getLogger(MultiplexEndpoint.class);

  private final GroupRegistry groups;
  private final GroupPolicy policy;
  private final FrameWriter writer;
  private final EventBus eventBus;
  private final ChatClient chat;
  private final int maxSubscriptions;
  private final PresenceTracker presence;

  public MultiplexEndpoint(GroupRegistry groups, GroupPolicy policy, FrameWriter writer, EventBus eventBus,
                         ChatClient chat, PresenceTracker presence, int maxSubscriptions) {
    this.presence = presence;
    this.groups = groups;
    this.policy = policy;
    this.writer = writer;
    this.eventBus = eventBus;
    this.chat = chat;
    this.maxSubscriptions = maxSubscriptions;
  }

  @Override
  public Endpoint endpoint() {
    return Endpoint.MULTIPLEX;
  }

  @Override
  public void open(Session session) {
  }

  @Override
  public void text(Session session, String text) {
    ClientFrame frame;
    try {
      frame = ClientFrameParser.parse(text);
    } catch (ProtocolException e) {
      writer.error(session, e);
      return;
    }
    if (frame instanceof ClientFrame.Subscribe subscribe) {
      subscribe(session, subscribe);
    } else if (frame instanceof ClientFrame.Unsubscribe unsubscribe) {
      groups.leave(unsubscribe.group(), session);
      writer.reply(session, ServerFrames.unsubscribed(unsubscribe.group(), unsubscribe.id()));
    } else if (frame instanceof ClientFrame.Publish publish) {
      publish(session, publish);
    } else if (frame instanceof ClientFrame.Ping ping) {
      writer.reply(session, ServerFrames.pong(ping.id(), System.currentTimeMillis()));
    } else if (frame instanceof ClientFrame.Presence query) {
      presence(session, query);
    }
  }

  private void presence(Session session, ClientFrame.Presence request) {
    String group = request.group();
    if (!policy.maySubscribe(session.principal(), group)) {
      writer.error(session, ErrorCode.FORBIDDEN, "subscribing to '" + group + "' is not allowed", request.id());
      return;
    }
    if (!presence.tracks(group)) {
      writer.error(session, ErrorCode.INVALID_GROUP, "group '" + group + "' does not keep presence", request.id());
      return;
    }
    presence.page(group, request.after())
      .onSuccess(page -> {
        // The members' array comes encoded (once per page of the cached list): spliced in.
        StringBuilder reply = new StringBuilder(page.membersJson().length() + 128)
          .append("{\"type\":\"presence\",\"group\":").append(Json.encode(group))
          .append(",\"members\":").append(page.membersJson())
          .append(",\"total\":").append(page.total());
        if (page.next() != null) {
          reply.append(",\"next\":").append(Json.encode(page.next()));
        }
        if (request.id() != null) {
          reply.append(",\"id\":").append(Json.encode(request.id()));
        }
        writer.reply(session, reply.append('}').toString());
      })
      .onFailure(e -> {
        log.warn("{} group={} presence read failed: {}", session, group, e.getMessage());
        writer.error(session, ErrorCode.SERVICE_UNAVAILABLE, "presence is not available", request.id());
      });
  }

  private void subscribe(Session session, ClientFrame.Subscribe request) {
    String group = request.group();
    // presence:G carries G's join and leave events: whoever may follow G may follow them.
    String watched = Groups.presenceOf(group);
    String permissionGroup = watched != null ? watched : group;
    if (watched != null && !presence.tracks(watched)) {
      writer.error(session, ErrorCode.INVALID_GROUP, "group '" + watched + "' does not keep presence", request.id());
      return;
    }
    if (!policy.maySubscribe(session.principal(), permissionGroup)) {
      writer.error(session, ErrorCode.FORBIDDEN, "subscribing to '" + group + "' is not allowed", request.id());
      return;
    }
    if (!session.inGroup(group) && session.groupCount() >= maxSubscriptions) {
      writer.error(session, ErrorCode.INVALID_FIELD, "at most " + maxSubscriptions + " subscriptions per connection", request.id());
      return;
    }
    String room = Groups.roomOf(group);
    if (request.since() != null && room != null) {
      subscribeWithHistory(session, request, room);
      return;
    }
    // Without stored history there is nothing to replay, which the reply must say.
    Boolean recovered = request.since() == null ? null : Boolean.FALSE;
    groups.join(group, session)
      .onSuccess(v -> writer.reply(session, ServerFrames.subscribed(group, request.id(), recovered)))
      .onFailure(e -> subscribeFailed(session, group, request.id(), e));
  }

  /**
   * Joins first and holds live deliveries back, then fetches the stored messages after
   * {@code since}: the reply, the stored messages, then the held ones newer than the last
   * stored, so nothing is missed or repeated however the two race.
   */
  private void subscribeWithHistory(Session session, ClientFrame.Subscribe request, String room) {
    String group = request.group();
    session.beginRecovery(group);
    // The history is read once the group is joined: a message the chat service publishes
    // before it knows of this gateway's consumer is stored by then, so the replay has it.
    groups.join(group, session).onComplete(joined -> {
      if (joined.failed()) {
        session.endRecovery(group);
        subscribeFailed(session, group, request.id(), joined.cause());
        return;
      }
      replay(session, request, room);
    });
  }

  /** Reads the stored messages after {@code since} and sends the reply, them, then the held ones. */
  private void replay(Session session, ClientFrame.Subscribe request, String room) {
    String group = request.group();
    long since = request.since();
    chat.history(room, since).onComplete(ar -> {
      Recovery.Held held = session.endRecovery(group);
      if (!session.inGroup(group)) {
        return;
      }
      if (ar.failed()) {
        log.warn("{} group={} history unavailable: {}", session, group, ar.cause().getMessage());
      }
      JsonObject history = ar.succeeded() ? ar.result() : null;
      String epoch = history == null ? null : history.getString("epoch");
      // A position in another epoch counts in a numbering that is gone (the room was freed and
      // opened again): nothing after it can be replayed, whatever the numbers say, and the live
      // messages of the new numbering all go through. Position 0 has seen nothing: any epoch.
      boolean otherEpoch = history != null && since > 0 && request.sinceEpoch() != null
        && !request.sinceEpoch().equals(epoch);
      boolean recovered = history != null && !otherEpoch && history.getBoolean("recovered", false) && !held.overflowed();
      JsonArray stored = history == null || otherEpoch ? new JsonArray() : history.getJsonArray("messages", new JsonArray());
      writer.reply(session, history == null ? ServerFrames.subscribed(group, request.id(), false)
        : ServerFrames.subscribed(group, request.id(), recovered, epoch, history.getLong("top", 0L)));
      long last = otherEpoch ? 0 : since;
      for (Object item : stored) {
        JsonObject message = (JsonObject) item;
        long seq = message.getLong("seq", -1L);
        if (seq > last) {
          Delivery past = new Delivery(Delivery.Kind.JSON, seq, message.getString("sender"), true,
            message.getLong("ts", 0L), message.encode().getBytes(StandardCharsets.UTF_8), message.getString("epoch"));
          writer.write(session, WebSocketFrameType.TEXT, ServerFrames.message(group, past));
          last = seq;
        }
      }
      for (Delivery live : held.deliveries()) {
        if (!live.hasSeq() || live.seq() > last) {
          writer.write(session, WebSocketFrameType.TEXT, ServerFrames.message(group, live));
          last = Math.max(last, live.seq());
        }
      }
    });
  }

  private void subscribeFailed(Session session, String group, Object id, Throwable e) {
    log.warn("{} group={} subscribe failed: {}", session, group, e.getMessage());
    groups.leave(group, session);
    writer.error(session, ErrorCode.INTERNAL_ERROR, "subscription could not be registered", id);
  }

  private void publish(Session session, ClientFrame.Publish request) {
    String group = request.group();
    if (Groups.presenceOf(group) != null) {
      writer.error(session, ErrorCode.FORBIDDEN, "presence events are published by the gateways only", request.id());
      return;
    }
    if (!policy.mayPublish(session.principal(), group)) {
      writer.error(session, ErrorCode.FORBIDDEN, "publishing to '" + group + "' is not allowed", request.id());
      return;
    }
    String room = Groups.roomOf(group);
    if (room != null) {
      // Chat rooms are ordered and stored by the chat service; a /ws publish goes the same way
      // as a message on /ws/chat/{room}.
      chat.send(room, session.sender(), Json.decodeValue(request.data()))
        .onSuccess(stored -> writer.reply(session, ServerFrames.ack(request.id(), stored.getLong("seq", -1L))))
        .onFailure(e -> writer.serviceError(session, e, request.id()));
      return;
    }
    boolean echo = !Groups.HUB.equals(group);
    Delivery delivery = new Delivery(Delivery.Kind.JSON, Delivery.NO_SEQ, session.id(), echo,
      System.currentTimeMillis(), request.data().getBytes(StandardCharsets.UTF_8));
    eventBus.publish(Groups.address(group), delivery.encode());
    writer.reply(session, ServerFrames.ack(request.id(), Delivery.NO_SEQ));
  }
}
