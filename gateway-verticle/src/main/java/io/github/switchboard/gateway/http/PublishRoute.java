package io.github.switchboard.gateway.http;

import io.github.switchboard.gateway.auth.GroupPolicy;
import io.github.switchboard.gateway.service.ChatClient;
import io.github.switchboard.gateway.stream.StreamErrors;
import io.github.switchboard.gateway.stream.Streams;
import io.github.switchboard.protocol.ClientFrameParser;
import io.github.switchboard.protocol.Delivery;
import io.github.switchboard.protocol.ErrorCode;
import io.github.switchboard.protocol.Groups;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.DecodeException;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;
import java.security.MessageDigest;

/**
 * {@code POST /api/groups/{group}/messages} with {@code {"data":ANY}}: a backend publishes to a
 * group without a WebSocket. With an API key configured the caller must present it as a
 * bearer token and may publish to any group. Without one, HTTP publish is closed: anyone who
 * can reach the port could otherwise publish anything, and name groups without end. The one
 * exception is an embedded gateway (a developer's machine): callers on the same machine may
 * publish under the client group rules. Chat rooms go through the chat service and other stream
 * groups through the gateway's sequencing ({@link Streams}); both answer with the message's
 * offset and epoch once it is stored.
 */
public final class PublishRoute {

  static final String PATH = "/api/groups/:group/messages";
  /** Sender of chat messages published over HTTP. */
  public static final String HTTP_SENDER = "api";

  private PublishRoute() {
  }

  /**
   * @param loopbackWithoutKey with no key configured, let callers on this machine publish (under
   *                           the group rules); for an embedded gateway only
   */
  public static void mount(Router router, EventBus eventBus, ChatClient chat, Streams streams, GroupPolicy policy, String apiKey,
                           boolean loopbackWithoutKey, int maxBodyBytes, BooleanSupplier cutOff) {
    byte[] key = apiKey == null ? null : apiKey.getBytes(StandardCharsets.UTF_8);
    // Vert.x Web wants the body handler before any user handler, so the key is checked after
    // the (size-capped) body is read.
    // The body is JSON whatever the request calls it: `curl -d` labels it a form, and the body
    // handler would then parse it as one (and refuse a "field" over 8 KB). A route of its own:
    // Vert.x Web allows no handler before the body handler in one route.
    router.post(PATH).handler(ctx -> {
      ctx.request().headers().set(HttpHeaders.CONTENT_TYPE, "application/json");
      ctx.next();
    });
    router.post(PATH)
      .handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes))
      .handler(ctx -> {
        if (key == null && !(loopbackWithoutKey && loopback(ctx))) {
          JsonResponses.error(ctx, 403, ErrorCode.FORBIDDEN, NO_KEY);
          return;
        }
        if (key != null && !authorized(ctx, key)) {
          ctx.response().putHeader("WWW-Authenticate", "Bearer");
          JsonResponses.error(ctx, 401, ErrorCode.UNAUTHORIZED, "a valid 'Authorization: Bearer <api key>' header is required");
          return;
        }
        if (cutOff.getAsBoolean()) {
          // A plain group's message would reach only this side of the split: refused like a stored one.
          JsonResponses.error(ctx, 503, ErrorCode.SERVICE_UNAVAILABLE,
            "this gateway is cut off from the cluster; nothing was published; send it to another gateway");
          return;
        }
        ctx.next();
      })
      .handler(ctx -> publish(ctx, eventBus, chat, streams, policy, key != null))
      .failureHandler(ctx -> {
        if (ctx.statusCode() == 413) {
          JsonResponses.error(ctx, 413, ErrorCode.TOO_LARGE, "body larger than " + maxBodyBytes + " bytes");
        } else {
          JsonResponses.error(ctx, ctx.statusCode() > 0 ? ctx.statusCode() : 500, ErrorCode.INTERNAL_ERROR, "request failed");
        }
      });
    JsonResponses.onlyAllow(router, PATH, HttpMethod.POST);
  }

  /** Why HTTP publish is refused when no key is configured, and how to open it. */
  static final String NO_KEY = "HTTP publish needs an API key: start the gateway with apiKey (SWITCHBOARD_API_KEY) "
    + "and send 'Authorization: Bearer <key>' (an embedded gateway takes callers on its own machine without one)";

  private static boolean loopback(RoutingContext ctx) {
    SocketAddress remote = ctx.request().remoteAddress();
    if (remote == null || remote.hostAddress() == null) {
      return false;
    }
    try {
      // An IP literal: no name is looked up.
      return InetAddress.getByName(remote.hostAddress()).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static boolean authorized(RoutingContext ctx, byte[] key) {
    String header = ctx.request().getHeader("Authorization");
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    // Constant time, so the comparison does not reveal how much of a guess was right.
    return MessageDigest.isEqual(key, header.substring(7).strip().getBytes(StandardCharsets.UTF_8));
  }

  private static void publish(RoutingContext ctx, EventBus eventBus, ChatClient chat, Streams streams, GroupPolicy policy,
                              boolean trusted) {
    String group = ctx.pathParam("group");
    if (!Groups.isValidName(group)) {
      JsonResponses.error(ctx, 400, ErrorCode.INVALID_GROUP, "group name must match [A-Za-z0-9_.:-]{1," + Groups.MAX_NAME_LENGTH + "}");
      return;
    }
    if (Groups.presenceOf(group) != null) {
      JsonResponses.error(ctx, 403, ErrorCode.FORBIDDEN, "presence events are published by the gateways only");
      return;
    }
    if (!trusted && !policy.mayPublish(group)) {
      JsonResponses.error(ctx, 403, ErrorCode.FORBIDDEN, "publishing to '" + group + "' is not allowed");
      return;
    }
    JsonObject body;
    try {
      String text = ctx.body().asString();
      body = text == null || text.isBlank() ? null : new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      JsonResponses.error(ctx, 400, ErrorCode.INVALID_JSON, "body must be a JSON object {\"data\": ...}");
      return;
    }
    if (body != null && !ClientFrameParser.wellFormed(ctx.body().asString(), body)) {
      JsonResponses.error(ctx, 400, ErrorCode.INVALID_FIELD, ClientFrameParser.LONE_SURROGATE);
      return;
    }
    if (body == null || !body.containsKey("data")) {
      JsonResponses.error(ctx, 400, ErrorCode.INVALID_FIELD, "missing field 'data'");
      return;
    }
    switch (streams.kind(group)) {
      case CHAT -> {
        chat.send(Groups.roomOf(group), HTTP_SENDER, body.getValue("data"))
          .onSuccess(stored -> JsonResponses.send(ctx, 202, stored(group, stored.getLong("seq"), stored.getString("epoch"))))
          .onFailure(e -> ServiceRoutes.failed(ctx, e));
        return;
      }
      case STREAM -> {
        streams.publish(group, io.vertx.core.json.Json.encode(body.getValue("data")), null)
          .onSuccess(appended -> JsonResponses.send(ctx, 202, stored(group, appended.offset(), appended.epoch())))
          .onFailure(e -> {
            StreamErrors.Refusal refusal = StreamErrors.refusal(group, e);
            JsonResponses.error(ctx, refusal.httpStatus(), refusal.code(), refusal.message());
          });
        return;
      }
      case PLAIN -> {
        // Below.
      }
    }
    byte[] payload = io.vertx.core.json.Json.encode(body.getValue("data")).getBytes(StandardCharsets.UTF_8);
    Delivery delivery = new Delivery(Delivery.Kind.JSON, Delivery.NO_SEQ, null, true, System.currentTimeMillis(), payload);
    eventBus.publish(Groups.address(group), delivery.encode());
    JsonResponses.send(ctx, 202, new JsonObject().put("group", group));
  }

  /** The answer to a publish to a stream group: its offset (also as seq) and epoch. */
  private static JsonObject stored(String group, long offset, String epoch) {
    return new JsonObject().put("group", group).put("offset", offset).put("seq", offset).put("epoch", epoch);
  }
}
