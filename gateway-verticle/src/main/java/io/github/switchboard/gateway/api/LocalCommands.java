package io.github.switchboard.gateway.api;

import io.github.switchboard.gateway.endpoint.MultiplexEndpoint;
import io.github.switchboard.gateway.fanout.GroupRegistry;
import io.github.switchboard.gateway.metrics.EventLoopProbe;
import io.github.switchboard.gateway.metrics.GatewayStats;
import io.github.switchboard.gateway.session.Endpoint;
import io.github.switchboard.gateway.session.Session;
import io.github.switchboard.gateway.session.Sessions;
import io.github.switchboard.gateway.session.StreamSessions;
import io.github.switchboard.gateway.transport.CloseReason;
import io.github.switchboard.gateway.transport.SocketCloser;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * What one gateway does with a command of the server API ({@link ControlChannel}), to its own
 * sockets: report itself or its groups, disconnect a user's sockets, put them in a group or take
 * them out, pass frames up one of its HTTP streams (bidirectional emulation). Runs on the gateway's event loop. The commands were checked by the route that sent
 * them; a malformed one (another version's) fails without touching a socket.
 */
public final class LocalCommands {

  /** The command names, as they go on the event bus. */
  public static final String NODE = "node";
  public static final String GROUPS = "groups";
  public static final String DISCONNECT = "disconnect";
  public static final String SUBSCRIBE = "subscribe";
  public static final String UNSUBSCRIBE = "unsubscribe";
  /** The sockets of a user, or the one socket with a connection id, described. */
  public static final String CONNECTIONS = "connections";
  /** Closes the one socket with a connection id. */
  public static final String CLOSE = "close";
  /** Frames a client sent with {@code POST /emulation} to another gateway, for its stream here. */
  public static final String FRAMES = "frames";
  private static final Logger log = LoggerFactory.getLogger(LocalCommands.class);

  private final Sessions sessions;
  private final GroupRegistry groups;
  private final MultiplexEndpoint multiplex;
  private final SocketCloser closer;
  private final StreamSessions streams;
  private final GatewayStats stats;
  private final EventLoopProbe eventLoop;
  private final long startedAt = System.currentTimeMillis();

  public LocalCommands(Sessions sessions, GroupRegistry groups, MultiplexEndpoint multiplex, SocketCloser closer,
                       StreamSessions streams, GatewayStats stats, EventLoopProbe eventLoop) {
    this.streams = streams;
    this.stats = stats;
    this.eventLoop = eventLoop;
    this.sessions = sessions;
    this.groups = groups;
    this.multiplex = multiplex;
    this.closer = closer;
  }

  public Future<JsonObject> handle(JsonObject command) {
    String op = command == null ? null : command.getString("op");
    try {
      return switch (op == null ? "" : op) {
        case NODE -> Future.succeededFuture(node());
        case GROUPS -> Future.succeededFuture(groups(command.getString("prefix", ""), command.getInteger("limit", Integer.MAX_VALUE)));
        case DISCONNECT -> Future.succeededFuture(disconnect(required(command, "user"), command.getInteger("code"),
          command.getString("reason")));
        case SUBSCRIBE -> subscribe(required(command, "user"), required(command, "group"));
        case UNSUBSCRIBE -> Future.succeededFuture(unsubscribe(required(command, "user"), required(command, "group")));
        case CONNECTIONS -> Future.succeededFuture(connections(command.getString("user"), command.getString("connection"),
          command.getInteger("limit", Integer.MAX_VALUE)));
        case CLOSE -> Future.succeededFuture(close(required(command, "connection"), command.getInteger("code"),
          command.getString("reason")));
        case FRAMES -> Future.succeededFuture(new JsonObject().put("delivered",
          streams.deliver(required(command, "session"), frames(command))));
        default -> Future.failedFuture("unknown command '" + op + "'");
      };
    } catch (IllegalArgumentException | ClassCastException e) {
      return Future.failedFuture("malformed command '" + op + "': " + e.getMessage());
    }
  }

  private static List<String> frames(JsonObject command) {
    JsonArray frames = command.getJsonArray("frames");
    if (frames == null) {
      throw new IllegalArgumentException("missing frames");
    }
    List<String> texts = new ArrayList<>(frames.size());
    for (int i = 0; i < frames.size(); i++) {
      texts.add(frames.getString(i));
    }
    return texts;
  }

  private static String required(JsonObject command, String field) {
    String value = command.getString(field);
    if (value == null) {
      throw new IllegalArgumentException("missing " + field);
    }
    return value;
  }

  private JsonObject node() {
    JsonObject byEndpoint = new JsonObject();
    for (Endpoint endpoint : Endpoint.values()) {
      byEndpoint.put(endpoint.path(), sessions.size(endpoint));
    }
    return new JsonObject()
      .put("connections", sessions.size())
      .put("users", sessions.users())
      .put("connectionsByEndpoint", byEndpoint)
      .put("groups", groups.consumerCount())
      .put("startedAt", startedAt)
      .put("uptimeMs", System.currentTimeMillis() - startedAt)
      // Totals since start: a reader turns two reports into rates (the admin page does).
      .put("sampledAt", System.currentTimeMillis())
      .put("traffic", stats.toJson())
      .put("eventLoopDelayMs", new JsonObject().put("last", eventLoop.lastMs()).put("maxLastMinute", eventLoop.recentMaxMs()));
  }

  /**
   * The sockets of {@code user} (by the index), or the one with id {@code connection} (a walk
   * over this gateway's sockets: an operator's query, not a client's), at most {@code limit}.
   */
  private JsonObject connections(String user, String connection, int limit) {
    List<Session> found = new ArrayList<>();
    if (connection != null) {
      Session session = sessions.find(connection);
      if (session != null) {
        found.add(session);
      }
    } else if (user != null) {
      found = sessions.ofUser(user);
    } else {
      throw new IllegalArgumentException("missing user or connection");
    }
    JsonArray out = new JsonArray();
    for (Session session : found.subList(0, Math.min(limit, found.size()))) {
      out.add(describe(session));
    }
    return new JsonObject().put("connections", out).put("truncated", found.size() > limit);
  }

  private JsonObject describe(Session session) {
    JsonObject out = new JsonObject()
      .put("id", session.id())
      .put("endpoint", session.path())
      .put("user", session.principal() == null ? null : session.principal().subject())
      .put("groups", new JsonArray(List.of(session.groups())))
      .put("closing", session.closing());
    var remote = session.channel().remoteAddress();
    if (remote != null) {
      out.put("remote", remote.toString().replaceFirst("^/", ""));
    }
    return out;
  }

  /** Closes the socket with id {@code connection} if it is here; says whether it was. */
  private JsonObject close(String connection, Integer code, String reason) {
    int chosen = code == null ? CloseReason.DISCONNECTED_FOR_GOOD.code() : code;
    CloseReason kind = CloseReason.ofBackendCode(chosen);
    String text = reason == null ? kind.reason() : reason;
    Session session = sessions.find(connection);
    if (session == null || session.closing()) {
      return new JsonObject().put("connections", 0);
    }
    closer.close(session, kind, chosen, text);
    log.info("connection={} user={} disconnected by the server with {} '{}'", connection,
      session.principal() == null ? "-" : session.principal().subject(), chosen, text);
    return new JsonObject().put("connections", 1);
  }

  /** The groups with local sockets whose name starts with the prefix: the first {@code limit} by name. */
  private JsonObject groups(String prefix, int limit) {
    TreeMap<String, Integer> counts = new TreeMap<>();
    boolean truncated = false;
    for (String name : groups.groupNames()) {
      int members = groups.memberCount(name);
      if (members == 0 || !name.startsWith(prefix)) {
        continue;
      }
      counts.put(name, members);
      if (counts.size() > limit) {
        counts.pollLastEntry();
        truncated = true;
      }
    }
    JsonObject out = new JsonObject();
    counts.forEach(out::put);
    return new JsonObject().put("groups", out).put("truncated", truncated);
  }

  private JsonObject disconnect(String user, Integer code, String reason) {
    int chosen = code == null ? CloseReason.DISCONNECTED_FOR_GOOD.code() : code;
    CloseReason kind = CloseReason.ofBackendCode(chosen);
    String text = reason == null ? kind.reason() : reason;
    int closed = 0;
    for (Session session : sessions.ofUser(user)) {
      if (!session.closing()) {
        closer.close(session, kind, chosen, text);
        closed++;
      }
    }
    if (closed > 0) {
      log.info("user={} disconnected by the server: {} sockets closed with {} '{}'", user, closed, chosen, text);
    }
    return new JsonObject().put("connections", closed);
  }

  /** Only {@code /ws} sockets speak of groups; a user's seed-endpoint sockets are left alone. */
  private Future<JsonObject> subscribe(String user, String group) {
    List<Future<Boolean>> joins = new ArrayList<>();
    for (Session session : sessions.ofUser(user)) {
      if (session.endpoint() == Endpoint.MULTIPLEX) {
        joins.add(multiplex.serverSubscribe(session, group));
      }
    }
    return Future.join(joins).map(v -> {
      int in = (int) joins.stream().filter(f -> Boolean.TRUE.equals(f.result())).count();
      if (in > 0) {
        log.info("user={} group={} subscribed by the server: {} sockets", user, group, in);
      }
      return new JsonObject().put("connections", in).put("refused", joins.size() - in);
    });
  }

  private JsonObject unsubscribe(String user, String group) {
    int out = 0;
    for (Session session : sessions.ofUser(user)) {
      if (session.endpoint() == Endpoint.MULTIPLEX && multiplex.serverUnsubscribe(session, group)) {
        out++;
      }
    }
    if (out > 0) {
      log.info("user={} group={} unsubscribed by the server: {} sockets", user, group, out);
    }
    return new JsonObject().put("connections", out);
  }
}
