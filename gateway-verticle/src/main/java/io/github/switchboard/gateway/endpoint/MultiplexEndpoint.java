package io.github.switchboard.gateway.endpoint;

import io.github.switchboard.gateway.session.Session;
import io.github.switchboard.gateway.session.Endpoint;
import io.github.switchboard.gateway.session.EndpointHandler;
import io.github.switchboard.gateway.transport.FrameWriter;
import io.github.switchboard.gateway.session.Recovery;
import io.github.switchboard.gateway.auth.GroupPolicy;
import io.github.switchboard.gateway.fanout.GroupRegistry;
import io.github.switchboard.gateway.presence.PresenceTracker;
import io.github.switchboard.gateway.proxy.GroupHooks;
import io.github.switchboard.gateway.proxy.RpcProxy;
import io.github.switchboard.coordination.history.StreamHistory;
import io.github.switchboard.gateway.service.ChatClient;
import io.github.switchboard.gateway.stream.StreamReader;
import io.github.switchboard.gateway.stream.Streams;
import io.github.switchboard.protocol.ClientFrame;
import io.github.switchboard.protocol.ClientFrameParser;
import io.github.switchboard.protocol.Delivery;
import io.github.switchboard.protocol.ErrorCode;
import io.github.switchboard.protocol.Groups;
import io.github.switchboard.protocol.ProtocolException;
import io.github.switchboard.protocol.ServerFrames;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * {@code /ws}: one socket, many groups. Requests are parsed by {@link ClientFrameParser}; every
 * reply echoes the request's {@code id}.
 */
public final class MultiplexEndpoint implements EndpointHandler {

  private static final Logger log = LoggerFactory.getLogger(MultiplexEndpoint.class);

  private final GroupRegistry groups;
  private final GroupPolicy policy;
  private final FrameWriter writer;
  private final ChatClient chat;
  private final Streams streams;
  private final int maxSubscriptions;
  private final PresenceTracker presence;
  private final RpcProxy rpc;
  private final GroupHooks hooks;
  private final boolean personalGroups;
  private final GroupPublish publisher;

  /**
   * @param personalGroups whether an authenticated socket joins its user's group {@code user:<id>}
   *                       on open (it does not count toward {@code maxSubscriptions})
   */
  public MultiplexEndpoint(GroupRegistry groups, GroupPolicy policy, FrameWriter writer, EventBus eventBus,
                         ChatClient chat, Streams streams, PresenceTracker presence, RpcProxy rpc, GroupHooks hooks,
                         int maxSubscriptions, boolean personalGroups) {
    this.publisher = new GroupPublish(eventBus, chat, streams);
    this.rpc = rpc;
    this.hooks = hooks;
    this.personalGroups = personalGroups;
    this.streams = streams;
    this.presence = presence;
    this.groups = groups;
    this.policy = policy;
    this.writer = writer;
    this.chat = chat;
    this.maxSubscriptions = maxSubscriptions;
  }

  @Override
  public Endpoint endpoint() {
    return Endpoint.MULTIPLEX;
  }

  /**
   * An authenticated socket joins its personal group without a frame: the server may write to
   * it (server API, hooks) from the first moment. A user the connect hook named also joins the
   * groups the backend gave, each with a {@code subscribed} frame as a server-side subscribe.
   */
  @Override
  public void open(Session session) {
    String personal = personalGroup(session);
    if (personal != null) {
      groups.join(personal, session).onFailure(e -> {
        log.warn("{} group={} personal group not joined: {}", session, personal, e.getMessage());
        groups.leave(personal, session);
      });
    }
    if (session.principal() != null) {
      for (String group : session.principal().joins()) {
        serverSubscribe(session, group);
      }
    }
  }

  /** The socket's personal group when it has one (authenticated, an id valid in a group name). */
  private String personalGroup(Session session) {
    return personalGroups && session.principal() != null ? Groups.personal(session.principal().subject()) : null;
  }

  /** Subscriptions the client made: its personal group is not one of them. */
  private int subscriptions(Session session) {
    String personal = personalGroup(session);
    return session.groupCount() - (personal != null && session.inGroup(personal) ? 1 : 0);
  }

  /**
   * The server puts the socket in a group (server API): no rule or token is asked, the socket
   * gets {@code {"type":"subscribed","group":G,"server":true}} (with its position in a stream
   * group) and the group's messages from then on. Completes with false when the socket was not
   * put in (already closing, at {@code maxSubscriptions}, the consumer failed); true when it is
   * in the group, also when it already was (no second frame then).
   */
  public Future<Boolean> serverSubscribe(Session session, String group) {
    if (session.closing()) {
      return Future.succeededFuture(false);
    }
    if (session.inGroup(group)) {
      return Future.succeededFuture(true);
    }
    if (subscriptions(session) >= maxSubscriptions) {
      log.info("{} group={} not subscribed by the server: at maxSubscriptions ({})", session, group, maxSubscriptions);
      return Future.succeededFuture(false);
    }
    Promise<Boolean> done = Promise.promise();
    if (streams.reader(group) != null) {
      joinAtPosition(session, group, (epoch, position) -> ServerFrames.serverSubscribed(group, epoch, position),
        e -> {
          log.warn("{} group={} server subscribe failed: {}", session, group, e.getMessage());
          groups.leave(group, session);
        }, done);
      return done.future();
    }
    groups.join(group, session)
      .onSuccess(v -> {
        writer.reply(session, ServerFrames.serverSubscribed(group, null, -1));
        done.complete(true);
      })
      .onFailure(e -> {
        log.warn("{} group={} server subscribe failed: {}", session, group, e.getMessage());
        groups.leave(group, session);
        done.complete(false);
      });
    return done.future();
  }

  /** The server takes the socket out of a group; true when it was in it. */
  public boolean serverUnsubscribe(Session session, String group) {
    if (!session.inGroup(group)) {
      return false;
    }
    groups.leave(group, session);
    writer.reply(session, ServerFrames.serverUnsubscribed(group));
    return true;
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
    } else if (frame instanceof ClientFrame.Rpc call) {
      rpc(session, call);
    }
  }

  private static String user(Session session) {
    return session.principal() == null ? null : session.principal().subject();
  }

  /** Posted to the backend; its answer (or why there is none) goes back with the call's id. */
  private void rpc(Session session, ClientFrame.Rpc call) {
    rpc.call(call.method(), call.data(), session.id(), user(session)).onSuccess(answer -> {
      if (answer.ok()) {
        writer.reply(session, ServerFrames.rpcResult(call.id(), answer.dataJson()));
      } else {
        writer.error(session, answer.error(), answer.message(), call.id(), answer.reason());
      }
    });
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
    if (!session.inGroup(group) && subscriptions(session) >= maxSubscriptions) {
      writer.error(session, ErrorCode.INVALID_FIELD, "at most " + maxSubscriptions + " subscriptions per connection", request.id());
      return;
    }
    if (!session.inGroup(group) && hooks.asksSubscribe(permissionGroup)) {
      hooks.subscribe(group, session.id(), user(session)).onSuccess(decision -> {
        if (session.closing() || session.closed()) {
          return;
        }
        if (!decision.allowed()) {
          writer.error(session, decision.error(), decision.message(), request.id(), decision.reason());
          return;
        }
        join(session, request);
      });
      return;
    }
    join(session, request);
  }

  /** A subscribe that passed every check: join, with history or position for a stream group. */
  private void join(Session session, ClientFrame.Subscribe request) {
    String group = request.group();
    StreamReader reader = streams.reader(group);
    if (request.since() != null && reader != null) {
      subscribeWithHistory(session, request, reader);
      return;
    }
    if (reader != null) {
      subscribeAtPosition(session, request);
      return;
    }
    // Without stored history there is nothing to replay, which the reply must say.
    Boolean recovered = request.since() == null ? null : Boolean.FALSE;
    groups.join(group, session)
      .onSuccess(v -> writer.reply(session, ServerFrames.subscribed(group, request.id(), recovered)))
      .onFailure(e -> subscribeFailed(session, group, request.id(), e));
  }

  /**
   * A stream group without {@code since}: the reply names the offset after which the socket
   * gets every message, and comes before the first of them. Deliveries that go out while the
   * group opens are held, and the position named is the one before the first held.
   */
  private void subscribeAtPosition(Session session, ClientFrame.Subscribe request) {
    joinAtPosition(session, request.group(),
      (epoch, position) -> ServerFrames.subscribed(request.group(), request.id(), null, epoch, position),
      e -> subscribeFailed(session, request.group(), request.id(), e), null);
  }

  /**
   * Joins a stream group, then writes the frame {@code reply} makes of the socket's position
   * and the deliveries held while the group opened. {@code joined} (may be null) completes with
   * whether the socket is in the group.
   */
  private void joinAtPosition(Session session, String group, BiFunction<String, Long, String> reply,
                              Consumer<Throwable> failed, Promise<Boolean> joined) {
    session.beginRecovery(group);
    groups.join(group, session).onComplete(ar -> {
      Recovery.Held held = session.endRecovery(group);
      if (ar.failed()) {
        failed.accept(ar.cause());
        if (joined != null) {
          joined.complete(false);
        }
        return;
      }
      if (!session.inGroup(group)) {
        if (joined != null) {
          joined.complete(false);
        }
        return;
      }
      StreamHistory.Position at = groups.position(group);
      Delivery first = held.deliveries().stream().filter(Delivery::hasSeq).findFirst().orElse(null);
      long position = first == null ? at.top() : first.seq() - 1;
      String epoch = first == null ? at.epoch() : first.epoch();
      writer.reply(session, reply.apply(epoch, position), session.eventId(group, position, epoch));
      for (Delivery live : held.deliveries()) {
        message(session, group, live);
      }
      if (joined != null) {
        joined.complete(true);
      }
    });
  }

  /**
   * Joins first and holds live deliveries back, then reads the stored messages after
   * {@code since}: the reply, the stored messages, then the held ones newer than the last
   * stored, so nothing is missed or repeated however the two race.
   */
  private void subscribeWithHistory(Session session, ClientFrame.Subscribe request, StreamReader reader) {
    String group = request.group();
    session.beginRecovery(group);
    // The history is read once the group is joined: a message published before this gateway's
    // consumer was known is stored by then, so the replay has it.
    groups.join(group, session).onComplete(joined -> {
      if (joined.failed()) {
        session.endRecovery(group);
        subscribeFailed(session, group, request.id(), joined.cause());
        return;
      }
      replay(session, request, reader);
    });
  }

  /**
   * Reads the stored messages after {@code since} and sends the reply, them, then the held ones.
   * The replay stops at the offset this gateway has delivered to the group: anything newer is
   * on its way to every member through the group's cursor, this socket included, and sending it
   * here too would repeat it.
   */
  private void replay(Session session, ClientFrame.Subscribe request, StreamReader reader) {
    String group = request.group();
    long since = request.since();
    reader.since(group, since).onComplete(ar -> {
      Recovery.Held held = session.endRecovery(group);
      if (!session.inGroup(group)) {
        return;
      }
      if (ar.failed()) {
        log.warn("{} group={} history unavailable: {}", session, group, ar.cause().getMessage());
      }
      StreamReader.Replay history = ar.succeeded() ? ar.result() : null;
      String epoch = history == null ? null : history.epoch();
      // A position in another epoch counts in a numbering that is gone (the stream was freed or
      // lost and started again): nothing after it can be replayed, whatever the numbers say, and
      // the live messages of the new numbering all go through. Position 0 has seen nothing.
      boolean otherEpoch = history != null && since > 0 && request.sinceEpoch() != null
        && !request.sinceEpoch().equals(epoch);
      boolean recovered = history != null && !otherEpoch && history.complete() && !held.overflowed();
      StreamHistory.Position at = groups.position(group);
      long upTo = at == null || history == null ? Long.MAX_VALUE
        : java.util.Objects.equals(at.epoch(), epoch) ? at.top() : 0;
      // The socket's position after this reply: where this gateway's cursor is (newer messages
      // come live), or where the history is when no cursor could tell.
      String replyEpoch = at == null ? epoch : at.epoch() != null ? at.epoch() : epoch;
      long replyOffset = at != null ? at.top() : history == null ? 0 : history.top();
      // On a Server-Sent Events stream the reply's event id keeps the client's own position: the
      // replay that follows advances it message by message.
      writer.reply(session, history == null && at == null ? ServerFrames.subscribed(group, request.id(), false)
        : ServerFrames.subscribed(group, request.id(), recovered, replyEpoch, replyOffset),
        otherEpoch ? null : session.eventId(group, since, request.sinceEpoch()));
      long last = otherEpoch ? 0 : since;
      if (history != null && !otherEpoch) {
        for (Delivery past : history.deliveries()) {
          if (past.seq() > last && past.seq() <= upTo) {
            message(session, group, past);
            last = past.seq();
          }
        }
      }
      for (Delivery live : held.deliveries()) {
        if (!live.hasSeq() || live.seq() > last) {
          message(session, group, live);
          last = Math.max(last, live.seq());
        }
      }
    });
  }

  /** One message of a replay, or held during one, for this socket alone. */
  private void message(Session session, String group, Delivery delivery) {
    writer.write(session, ServerFrames.message(group, delivery), session.eventId(group, delivery));
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
    if (hooks.asksPublish(group)) {
      hooks.publish(group, request.data(), session.id(), user(session)).onSuccess(decision -> {
        if (session.closing() || session.closed()) {
          return;
        }
        if (!decision.allowed()) {
          writer.error(session, decision.error(), decision.message(), request.id(), decision.reason());
          return;
        }
        publish(session, group, decision.dataJson() != null ? decision.dataJson() : request.data(), request.id());
      });
      return;
    }
    publish(session, group, request.data(), request.id());
  }

  /** A publish that passed every check, with its data (the client's, or the backend's instead). */
  private void publish(Session session, String group, String data, Object id) {
    publisher.publish(group, data, session.id(), session.sender())
      .onSuccess(ack -> writer.reply(session, ServerFrames.ack(id, ack.offset(), ack.epoch())))
      .onFailure(e -> {
        GroupPublish.Failed failed = (GroupPublish.Failed) e;
        writer.error(session, failed.code(), failed.getMessage(), id);
      });
  }
}
