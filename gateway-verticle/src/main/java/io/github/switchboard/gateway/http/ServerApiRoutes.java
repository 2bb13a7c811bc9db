package io.github.switchboard.gateway.http;

import io.github.switchboard.coordination.members.ClusterView;
import io.github.switchboard.gateway.api.ApiError;
import io.github.switchboard.gateway.api.ControlChannel;
import io.github.switchboard.gateway.api.LocalCommands;
import io.github.switchboard.gateway.presence.PresenceTracker;
import io.github.switchboard.gateway.stream.StreamGroups;
import io.github.switchboard.gateway.stream.StreamReader;
import io.github.switchboard.gateway.stream.Streams;
import io.github.switchboard.gateway.transport.CloseReason;
import io.github.switchboard.protocol.Delivery;
import io.github.switchboard.protocol.ErrorCode;
import io.github.switchboard.protocol.Groups;
import io.github.switchboard.protocol.ServerFrames;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The server API besides publishing ({@link PublishRoute}): what a backend reads and does
 * without holding a socket. Each call answers for the whole cluster, whichever gateway gets it:
 * reads go to the cluster's stores, and calls about sockets ask every gateway
 * ({@link ControlChannel}) and say which did not answer. docs/backend.md shows each call, and
 * {@code GET /api/openapi.json} describes them.
 */
public final class ServerApiRoutes {

  static final String HISTORY = "/api/groups/:group/history";
  static final String PRESENCE = "/api/groups/:group/presence";
  static final String PRESENCE_STATS = "/api/groups/:group/presence/stats";
  static final String GROUPS = "/api/groups";
  static final String NODES = "/api/nodes";
  static final String DISCONNECT = "/api/users/:user/disconnect";
  static final String SUBSCRIPTIONS = "/api/users/:user/subscriptions";
  static final String SUBSCRIPTION = "/api/users/:user/subscriptions/:group";
  static final String CLUSTER = "/api/cluster";
  static final String USER_CONNECTIONS = "/api/users/:user/connections";
  static final String CONNECTION = "/api/connections/:connection";
  static final String CONNECTION_DISCONNECT = "/api/connections/:connection/disconnect";
  static final int DEFAULT_LISTED_CONNECTIONS = 100;
  static final int MAX_LISTED_CONNECTIONS = 1_000;
  static final int DEFAULT_HISTORY_LIMIT = 100;
  static final int DEFAULT_LISTED_GROUPS = 1_000;
  /** Longest user id the API takes (a token's subject). */
  static final int MAX_USER_LENGTH = 256;
  /** The room a close frame has for its reason text. */
  static final int MAX_REASON_BYTES = 123;

  private final Vertx vertx;
  private final Streams streams;
  private final PresenceTracker presence;
  private final ControlChannel control;
  private final int maxHistoryLimit;
  private final int maxListedGroups;

  private ServerApiRoutes(Vertx vertx, Streams streams, PresenceTracker presence, ControlChannel control, int maxHistoryLimit,
                          int maxListedGroups) {
    this.vertx = vertx;
    this.streams = streams;
    this.presence = presence;
    this.control = control;
    this.maxHistoryLimit = maxHistoryLimit;
    this.maxListedGroups = maxListedGroups;
  }

  public static void mount(Router router, Vertx vertx, ApiAccess access, Streams streams, PresenceTracker presence,
                           ControlChannel control, int maxHistoryLimit, int maxListedGroups) {
    ServerApiRoutes routes = new ServerApiRoutes(vertx, streams, presence, control, maxHistoryLimit, maxListedGroups);
    access.read(router, HISTORY).handler(routes::history);
    JsonResponses.onlyAllow(router, HISTORY, HttpMethod.GET, HttpMethod.HEAD);
    access.read(router, PRESENCE_STATS).handler(routes::presenceStats);
    JsonResponses.onlyAllow(router, PRESENCE_STATS, HttpMethod.GET, HttpMethod.HEAD);
    access.read(router, PRESENCE).handler(routes::presence);
    JsonResponses.onlyAllow(router, PRESENCE, HttpMethod.GET, HttpMethod.HEAD);
    access.read(router, GROUPS).handler(routes::groups);
    JsonResponses.onlyAllow(router, GROUPS, HttpMethod.GET, HttpMethod.HEAD);
    access.read(router, NODES).handler(routes::nodes);
    JsonResponses.onlyAllow(router, NODES, HttpMethod.GET, HttpMethod.HEAD);
    access.read(router, CLUSTER).handler(routes::cluster);
    JsonResponses.onlyAllow(router, CLUSTER, HttpMethod.GET, HttpMethod.HEAD);
    access.read(router, USER_CONNECTIONS).handler(routes::userConnections);
    JsonResponses.onlyAllow(router, USER_CONNECTIONS, HttpMethod.GET, HttpMethod.HEAD);
    access.read(router, CONNECTION).handler(routes::connection);
    JsonResponses.onlyAllow(router, CONNECTION, HttpMethod.GET, HttpMethod.HEAD);
    access.write(router, HttpMethod.POST, CONNECTION_DISCONNECT).handler(routes::disconnectConnection);
    JsonResponses.onlyAllow(router, CONNECTION_DISCONNECT, HttpMethod.POST);
    access.write(router, HttpMethod.POST, DISCONNECT).handler(routes::disconnect);
    JsonResponses.onlyAllow(router, DISCONNECT, HttpMethod.POST);
    access.write(router, HttpMethod.POST, SUBSCRIPTIONS).handler(routes::subscribe);
    JsonResponses.onlyAllow(router, SUBSCRIPTIONS, HttpMethod.POST);
    access.write(router, HttpMethod.DELETE, SUBSCRIPTION).handler(routes::unsubscribe);
    JsonResponses.onlyAllow(router, SUBSCRIPTION, HttpMethod.DELETE);
  }

  /** Runs a handler; an {@link ApiError} it throws or fails with becomes the answer. */
  private static void answer(RoutingContext ctx, int status, Call call) {
    try {
      call.run().onSuccess(body -> JsonResponses.send(ctx, status, body)).onFailure(e -> ApiAccess.fail(ctx, e));
    } catch (ApiError e) {
      ApiAccess.fail(ctx, e);
    }
  }

  private interface Call {
    Future<JsonObject> run();
  }

  /**
   * {@code GET /api/groups/{group}/history?since=N&limit=N&reverse=true}: the stored messages of
   * a chat room or a stream group after offset {@code since} (default 0: all it keeps), oldest
   * first, at most {@code limit}; with {@code reverse}, the newest {@code limit} of them, newest
   * first. Each message is what a {@code /ws} subscriber gets, without {@code type} and
   * {@code group}.
   */
  private void history(RoutingContext ctx) {
    answer(ctx, 200, () -> {
      String group = group(ctx.pathParam("group"));
      long since = number(ctx, "since", 0, 0, Long.MAX_VALUE);
      int limit = (int) number(ctx, "limit", Math.min(DEFAULT_HISTORY_LIMIT, maxHistoryLimit), 1, maxHistoryLimit);
      boolean reverse = flag(ctx, "reverse");
      StreamReader reader = streams.reader(group);
      if (reader == null) {
        throw new ApiError(404, ErrorCode.NOT_FOUND, "group '" + group + "' keeps no history (it is neither a chat room nor "
          + "a group whose rule has a history)");
      }
      boolean chat = streams.kind(group) == StreamGroups.Kind.CHAT;
      return reader.since(group, since)
        .recover(e -> Future.failedFuture(chat ? ApiError.ofService(e) : ApiError.ofStreamRead(group, e)))
        .map(replay -> {
          List<Delivery> all = replay.deliveries();
          List<Delivery> chosen;
          if (reverse) {
            chosen = new ArrayList<>(all.subList(Math.max(0, all.size() - limit), all.size()));
            Collections.reverse(chosen);
          } else {
            chosen = all.subList(0, Math.min(limit, all.size()));
          }
          JsonArray messages = new JsonArray();
          for (Delivery delivery : chosen) {
            JsonObject message = new JsonObject(new String(ServerFrames.message(group, delivery), StandardCharsets.UTF_8));
            message.remove("type");
            message.remove("group");
            messages.add(message);
          }
          return new JsonObject().put("group", group).put("epoch", replay.epoch()).put("top", replay.top())
            .put("complete", replay.complete()).put("more", chosen.size() < all.size()).put("messages", messages);
        });
    });
  }

  /** {@code GET /api/groups/{group}/presence?after=ID}: one page of the members, as a {@code presence} frame has. */
  private void presence(RoutingContext ctx) {
    answer(ctx, 200, () -> {
      String group = presenceGroup(ctx.pathParam("group"));
      return presence.page(group, ctx.queryParams().get("after"))
        .recover(ServerApiRoutes::presenceUnavailable)
        .map(page -> {
          JsonObject body = new JsonObject().put("group", group).put("members", new JsonArray(page.membersJson()))
            .put("total", page.total());
          if (page.next() != null) {
            body.put("next", page.next());
          }
          return body;
        });
    });
  }

  /** {@code GET /api/groups/{group}/presence/stats}: connections in the group and distinct users among them. */
  private void presenceStats(RoutingContext ctx) {
    answer(ctx, 200, () -> {
      String group = presenceGroup(ctx.pathParam("group"));
      return presence.stats(group)
        .recover(ServerApiRoutes::presenceUnavailable)
        .map(stats -> new JsonObject().put("group", group).put("connections", stats.connections())
          .put("users", stats.users()));
    });
  }

  private static <T> Future<T> presenceUnavailable(Throwable e) {
    return Future.failedFuture(new ApiError(503, ErrorCode.SERVICE_UNAVAILABLE, "presence is not available: " + e.getMessage()));
  }

  /**
   * {@code GET /api/groups?prefix=P&limit=N}: the groups with sockets on any gateway, by name,
   * each with its subscribers (sockets) summed over the gateways; at most {@code limit}.
   */
  private void groups(RoutingContext ctx) {
    answer(ctx, 200, () -> {
      String prefix = ctx.queryParams().get("prefix");
      int limit = (int) number(ctx, "limit", Math.min(DEFAULT_LISTED_GROUPS, maxListedGroups), 1, maxListedGroups);
      JsonObject command = new JsonObject().put("op", LocalCommands.GROUPS).put("prefix", prefix == null ? "" : prefix)
        .put("limit", limit);
      return control.ask(command).map(gathered -> {
        TreeMap<String, Integer> sums = new TreeMap<>();
        Map<String, JsonObject> byGateway = new TreeMap<>();
        boolean truncated = false;
        for (Map.Entry<String, JsonObject> answer : gathered.answers().entrySet()) {
          truncated |= answer.getValue().getBoolean("truncated", false);
          for (Map.Entry<String, Object> entry : answer.getValue().getJsonObject("groups", new JsonObject())) {
            int count = ((Number) entry.getValue()).intValue();
            sums.merge(entry.getKey(), count, Integer::sum);
            byGateway.computeIfAbsent(entry.getKey(), g -> new JsonObject()).put(answer.getKey(), count);
          }
        }
        while (sums.size() > limit) {
          sums.pollLastEntry();
          truncated = true;
        }
        JsonArray groups = new JsonArray();
        sums.forEach((name, count) -> groups.add(new JsonObject().put("group", name).put("subscribers", count)
          .put("byGateway", byGateway.get(name))));
        return new JsonObject().put("groups", groups).put("truncated", truncated)
          .put("gateways", gathered.answers().size()).put("unreachable", new JsonArray(gathered.unreachable()));
      });
    });
  }

  /** {@code GET /api/nodes}: every gateway with its connections, users and groups. */
  private void nodes(RoutingContext ctx) {
    answer(ctx, 200, () -> control.ask(new JsonObject().put("op", LocalCommands.NODE)).map(gathered -> {
      JsonArray nodes = new JsonArray();
      gathered.answers().forEach((id, answer) ->
        nodes.add(gathered.gateways().getOrDefault(id, new JsonObject()).copy().mergeIn(answer).put("id", id)));
      return new JsonObject().put("nodes", nodes).put("connections", gathered.sum("connections"))
        .put("unreachable", new JsonArray(gathered.unreachable()));
    }));
  }

  /**
   * {@code POST /api/users/{user}/disconnect} with {@code {"code":4500,"reason":"..."}} (both
   * optional): closes every socket of the user on every gateway.
   */
  private void disconnect(RoutingContext ctx) {
    answer(ctx, 200, () -> {
      String user = user(ctx.pathParam("user"));
      JsonObject body = ApiAccess.body(ctx);
      JsonObject command = closeFields(body, new JsonObject().put("op", LocalCommands.DISCONNECT).put("user", user));
      return userCommand(user, null, command);
    });
  }

  /** The optional {@code code} and {@code reason} of a disconnect body, checked, added to the command. */
  private static JsonObject closeFields(JsonObject body, JsonObject command) {
    if (body != null && body.containsKey("code")) {
      // A whole number however the caller's JSON library wrote it (4500 or 4500.0).
      if (!(body.getValue("code") instanceof Number number) || number.doubleValue() != Math.rint(number.doubleValue())
        || number.intValue() < CloseReason.MIN_BACKEND_CODE || number.intValue() > CloseReason.MAX_BACKEND_CODE) {
        throw new ApiError(400, ErrorCode.INVALID_FIELD, "'code' must be an integer from " + CloseReason.MIN_BACKEND_CODE
          + " (4000-4499: the client may reconnect) to " + CloseReason.MAX_BACKEND_CODE + " (4500-4999: it must not)");
      }
      command.put("code", number.intValue());
    }
    if (body != null && body.containsKey("reason")) {
      if (!(body.getValue("reason") instanceof String reason) || reason.getBytes(StandardCharsets.UTF_8).length > MAX_REASON_BYTES) {
        throw new ApiError(400, ErrorCode.INVALID_FIELD, "'reason' must be a string of at most " + MAX_REASON_BYTES
          + " bytes of UTF-8 (the room a close frame has)");
      }
      command.put("reason", reason);
    }
    return command;
  }

  /**
   * {@code GET /api/cluster}: the members of the cluster as this gateway sees them, each with its
   * processes' components (gateway, chat and simulator with their role state), version, uptime
   * and the cluster size it sees; who holds each role; whether the members agree on the size.
   */
  private void cluster(RoutingContext ctx) {
    answer(ctx, 200, () -> ClusterView.read(vertx).recover(e -> Future.failedFuture(new ApiError(503,
      ErrorCode.SERVICE_UNAVAILABLE, "the member directory cannot be read: " + e.getMessage()))));
  }

  /**
   * {@code GET /api/users/{user}/connections?limit=N}: the user's sockets on every gateway, each
   * with its gateway, endpoint, groups and remote address; at most {@code limit}.
   */
  private void userConnections(RoutingContext ctx) {
    answer(ctx, 200, () -> {
      String user = user(ctx.pathParam("user"));
      int limit = (int) number(ctx, "limit", DEFAULT_LISTED_CONNECTIONS, 1, MAX_LISTED_CONNECTIONS);
      JsonObject command = new JsonObject().put("op", LocalCommands.CONNECTIONS).put("user", user).put("limit", limit);
      return control.ask(command).map(gathered -> connectionList(gathered.answers(), gathered.unreachable(), limit)
        .put("user", user));
    });
  }

  /**
   * {@code GET /api/connections/{id}}: the one socket with that connection id, asked of the
   * gateway that gave it (the id's prefix). 404 when no gateway holds it (any more), 503 when its
   * gateway does not answer.
   */
  private void connection(RoutingContext ctx) {
    answer(ctx, 200, () -> {
      String id = ctx.pathParam("connection");
      String gateway = gatewayOf(id);
      JsonObject command = new JsonObject().put("op", LocalCommands.CONNECTIONS).put("connection", id).put("limit", 1);
      return control.askOne(gateway, command)
        .recover(e -> Future.failedFuture(gatewayFailure(e, id, gateway)))
        .map(answer -> {
          JsonArray found = answer.getJsonArray("connections", new JsonArray());
          if (found.isEmpty()) {
            throw new ApiError(404, ErrorCode.NOT_FOUND, "no open connection '" + id + "'");
          }
          return found.getJsonObject(0).copy().put("gateway", gateway);
        });
    });
  }

  private static JsonObject connectionList(Map<String, JsonObject> answers, List<String> unreachable, int limit) {
    JsonArray all = new JsonArray();
    boolean truncated = false;
    for (Map.Entry<String, JsonObject> answer : answers.entrySet()) {
      truncated |= answer.getValue().getBoolean("truncated", false);
      for (Object one : answer.getValue().getJsonArray("connections", new JsonArray())) {
        if (all.size() == limit) {
          truncated = true;
          break;
        }
        all.add(((JsonObject) one).copy().put("gateway", answer.getKey()));
      }
    }
    return new JsonObject().put("connections", all).put("truncated", truncated)
      .put("unreachable", new JsonArray(unreachable));
  }

  /**
   * {@code POST /api/connections/{id}/disconnect} with {@code {"code":4500,"reason":"..."}}
   * (both optional): closes the one socket, on whichever gateway holds it. 404 when no gateway
   * holds it (any more), 503 when its gateway does not answer.
   */
  private void disconnectConnection(RoutingContext ctx) {
    answer(ctx, 200, () -> {
      String id = ctx.pathParam("connection");
      String gateway = gatewayOf(id);
      JsonObject command = closeFields(ApiAccess.body(ctx), new JsonObject().put("op", LocalCommands.CLOSE)
        .put("connection", id));
      return control.askOne(gateway, command)
        .recover(e -> Future.failedFuture(gatewayFailure(e, id, gateway)))
        .map(answer -> {
          if (answer.getInteger("connections", 0) == 0) {
            throw new ApiError(404, ErrorCode.NOT_FOUND, "no open connection '" + id + "'");
          }
          return new JsonObject().put("connection", id).put("gateway", gateway).put("connections", 1);
        });
    });
  }

  /**
   * A command to the gateway of a connection failed: 404 when no gateway with that id takes
   * commands (it is gone, and its sockets with it, or never was), else 503 (it did not answer).
   */
  private static ApiError gatewayFailure(Throwable e, String connection, String gateway) {
    if (e instanceof ReplyException reply && reply.failureType() == ReplyFailure.NO_HANDLERS) {
      return new ApiError(404, ErrorCode.NOT_FOUND, "no open connection '" + connection + "' (no gateway '" + gateway
        + "' is up)");
    }
    return new ApiError(503, ErrorCode.SERVICE_UNAVAILABLE, "gateway '" + gateway + "' that holds connection '" + connection
      + "' did not answer (" + e.getMessage() + "); nothing was done");
  }

  /** The gateway that gave a connection id: the part before its first '-'. */
  private static String gatewayOf(String connection) {
    int dash = connection == null ? -1 : connection.indexOf('-');
    if (dash <= 0 || connection.length() > MAX_USER_LENGTH) {
      throw new ApiError(400, ErrorCode.INVALID_FIELD, "'" + connection + "' is not a connection id (<gateway>-<n>, as a "
        + "welcome frame or the connections list gives it)");
    }
    return connection.substring(0, dash);
  }

  /** {@code POST /api/users/{user}/subscriptions} with {@code {"group":G}}: every /ws socket of the user joins G. */
  private void subscribe(RoutingContext ctx) {
    answer(ctx, 200, () -> {
      String user = user(ctx.pathParam("user"));
      JsonObject body = ApiAccess.body(ctx);
      if (body == null || !(body.getValue("group") instanceof String name)) {
        throw new ApiError(400, ErrorCode.INVALID_FIELD, "missing field 'group' (a string)");
      }
      String group = subscribable(name);
      return userCommand(user, group, new JsonObject().put("op", LocalCommands.SUBSCRIBE).put("user", user).put("group", group));
    });
  }

  /** {@code DELETE /api/users/{user}/subscriptions/{group}}: every socket of the user leaves G. */
  private void unsubscribe(RoutingContext ctx) {
    answer(ctx, 200, () -> {
      String user = user(ctx.pathParam("user"));
      String group = subscribable(ctx.pathParam("group"));
      return userCommand(user, group, new JsonObject().put("op", LocalCommands.UNSUBSCRIBE).put("user", user).put("group", group));
    });
  }

  private Future<JsonObject> userCommand(String user, String group, JsonObject command) {
    return control.ask(command).map(gathered -> {
      JsonObject body = new JsonObject().put("user", user);
      if (group != null) {
        body.put("group", group);
      }
      body.put("connections", gathered.sum("connections"));
      if (LocalCommands.SUBSCRIBE.equals(command.getString("op"))) {
        body.put("refused", gathered.sum("refused"));
      }
      return body.put("gateways", gathered.answers().size()).put("unreachable", new JsonArray(gathered.unreachable()));
    });
  }

  private static String group(String name) {
    if (!Groups.isValidName(name)) {
      throw new ApiError(400, ErrorCode.INVALID_GROUP, "group name must match [A-Za-z0-9_.:-]{1," + Groups.MAX_NAME_LENGTH + "}");
    }
    return name;
  }

  /** A group the server may put sockets in: any valid one but presence groups and personal groups. */
  private static String subscribable(String name) {
    String group = group(name);
    if (Groups.presenceOf(group) != null || Groups.isPersonal(group)) {
      throw new ApiError(400, ErrorCode.INVALID_GROUP, "'" + group + "' is a presence or personal group: sockets are put "
        + "in those by the gateway");
    }
    return group;
  }

  private String presenceGroup(String name) {
    String group = group(name);
    if (!presence.tracks(group)) {
      throw new ApiError(404, ErrorCode.NOT_FOUND, "group '" + group + "' keeps no presence");
    }
    return group;
  }

  private static String user(String user) {
    if (user == null || user.isEmpty() || user.length() > MAX_USER_LENGTH) {
      throw new ApiError(400, ErrorCode.INVALID_FIELD, "a user id is 1 to " + MAX_USER_LENGTH + " characters");
    }
    return user;
  }

  private static long number(RoutingContext ctx, String name, long def, long min, long max) {
    String text = ctx.queryParams().get(name);
    if (text == null) {
      return def;
    }
    try {
      long value = Long.parseLong(text);
      if (value >= min && value <= max) {
        return value;
      }
    } catch (NumberFormatException e) {
      // Answered below.
    }
    throw new ApiError(400, ErrorCode.INVALID_FIELD, "'" + name + "' must be an integer from " + min + " to " + max);
  }

  private static boolean flag(RoutingContext ctx, String name) {
    String text = ctx.queryParams().get(name);
    if (text == null || text.equals("false")) {
      return false;
    }
    if (text.equals("true") || text.isEmpty()) {
      return true;
    }
    throw new ApiError(400, ErrorCode.INVALID_FIELD, "'" + name + "' must be true or false");
  }
}
