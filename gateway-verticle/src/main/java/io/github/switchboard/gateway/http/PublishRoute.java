package io.github.switchboard.gateway.http;

import io.github.switchboard.gateway.api.ApiError;
import io.github.switchboard.gateway.api.Idempotency;
import io.github.switchboard.gateway.api.Publisher;
import io.github.switchboard.gateway.auth.GroupPolicy;
import io.github.switchboard.protocol.ErrorCode;
import io.github.switchboard.protocol.Groups;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * A backend publishes without a WebSocket:
 * <ul>
 *   <li>{@code POST /api/groups/{group}/messages} with {@code {"data":ANY}}: to one group;</li>
 *   <li>{@code POST /api/broadcast} with {@code {"groups":[...],"data":ANY}}: the same message
 *   to many groups in one call, each answered on its own.</li>
 * </ul>
 * Either takes an {@code idempotencyKey} (body field, or the {@code Idempotency-Key} header):
 * a repeat within {@code api.idempotencyWindowMs}, to any gateway, is answered with the first
 * call's answer and delivers nothing ({@link Idempotency}). Who may call: {@link ApiAccess}.
 */
public final class PublishRoute {

  static final String PATH = "/api/groups/:group/messages";
  static final String BROADCAST = "/api/broadcast";
  static final String KEY_HEADER = "Idempotency-Key";

  private final Publisher publisher;
  private final Idempotency idempotency;
  private final GroupPolicy policy;
  private final int maxBroadcastGroups;

  private PublishRoute(Publisher publisher, Idempotency idempotency, GroupPolicy policy, int maxBroadcastGroups) {
    this.publisher = publisher;
    this.idempotency = idempotency;
    this.policy = policy;
    this.maxBroadcastGroups = maxBroadcastGroups;
  }

  public static void mount(Router router, ApiAccess access, Publisher publisher, Idempotency idempotency, GroupPolicy policy,
                           int maxBroadcastGroups) {
    PublishRoute route = new PublishRoute(publisher, idempotency, policy, maxBroadcastGroups);
    access.write(router, HttpMethod.POST, PATH).handler(route::one);
    JsonResponses.onlyAllow(router, PATH, HttpMethod.POST);
    access.write(router, HttpMethod.POST, BROADCAST).handler(route::many);
    JsonResponses.onlyAllow(router, BROADCAST, HttpMethod.POST);
  }

  private void one(RoutingContext ctx) {
    try {
      String group = ctx.pathParam("group");
      checkGroup(group, ApiAccess.trusted(ctx));
      JsonObject body = ApiAccess.body(ctx);
      if (body == null || !body.containsKey("data")) {
        throw new ApiError(400, ErrorCode.INVALID_FIELD, "missing field 'data'");
      }
      Object data = body.getValue("data");
      once(ctx, body, "publish:" + group, () -> publisher.publish(group, data))
        .onSuccess(answer -> JsonResponses.send(ctx, answer.getBoolean("duplicate", false) ? 200 : 202, answer))
        .onFailure(e -> ApiAccess.fail(ctx, e));
    } catch (ApiError e) {
      ApiAccess.fail(ctx, e);
    }
  }

  /**
   * Each group is published on its own, all at once; the answer lists each one's outcome in the
   * order given (a group named twice is published once). 202 as soon as the call is valid, even
   * when some groups failed: their entries say why. Under an idempotency key the whole answer is
   * recorded, failed entries included: a resend of the failed groups needs a new key.
   */
  private void many(RoutingContext ctx) {
    try {
      JsonObject body = ApiAccess.body(ctx);
      if (body == null || !body.containsKey("data")) {
        throw new ApiError(400, ErrorCode.INVALID_FIELD, "missing field 'data'");
      }
      if (!(body.getValue("groups") instanceof JsonArray names) || names.isEmpty()) {
        throw new ApiError(400, ErrorCode.INVALID_FIELD, "'groups' must be a non-empty array of group names");
      }
      if (names.size() > maxBroadcastGroups) {
        throw new ApiError(400, ErrorCode.INVALID_FIELD, "at most " + maxBroadcastGroups + " groups per broadcast");
      }
      Set<String> groups = new LinkedHashSet<>();
      for (Object name : names) {
        if (!(name instanceof String group)) {
          throw new ApiError(400, ErrorCode.INVALID_FIELD, "'groups' must be a non-empty array of group names");
        }
        checkGroup(group, ApiAccess.trusted(ctx));
        groups.add(group);
      }
      Object data = body.getValue("data");
      once(ctx, body, "broadcast", () -> broadcast(groups, data))
        .onSuccess(answer -> JsonResponses.send(ctx, answer.getBoolean("duplicate", false) ? 200 : 202, answer))
        .onFailure(e -> ApiAccess.fail(ctx, e));
    } catch (ApiError e) {
      ApiAccess.fail(ctx, e);
    }
  }

  private Future<JsonObject> broadcast(Set<String> groups, Object data) {
    List<Future<JsonObject>> each = new ArrayList<>();
    for (String group : groups) {
      each.add(publisher.publish(group, data).recover(e -> {
        ApiError error = ApiError.of(e);
        return Future.succeededFuture(new JsonObject().put("group", group).put("error", error.code().code())
          .put("message", error.getMessage()));
      }));
    }
    return Future.join(each).map(v -> {
      JsonArray results = new JsonArray();
      int failed = 0;
      for (Future<JsonObject> result : each) {
        results.add(result.result());
        failed += result.result().containsKey("error") ? 1 : 0;
      }
      return new JsonObject().put("results", results).put("failed", failed);
    });
  }

  /** Runs the publish once per idempotency key when the call gives one. */
  private Future<JsonObject> once(RoutingContext ctx, JsonObject body, String scope, Supplier<Future<JsonObject>> publish) {
    Object fromBody = body.getValue("idempotencyKey");
    String key = fromBody != null ? (fromBody instanceof String s ? s : "") : ctx.request().getHeader(KEY_HEADER);
    if (key == null) {
      return publish.get();
    }
    if (!Idempotency.isValidKey(key)) {
      return Future.failedFuture(new ApiError(400, ErrorCode.INVALID_FIELD,
        "an idempotency key is 1 to " + Idempotency.MAX_KEY_LENGTH + " printable ASCII characters"));
    }
    return idempotency.once(scope + ":" + key, publish);
  }

  /**
   * @param trusted whether the caller presented the API key; if not (an embedded gateway's local
   *                caller), the client group rules apply
   */
  private void checkGroup(String group, boolean trusted) {
    if (!Groups.isValidName(group)) {
      throw new ApiError(400, ErrorCode.INVALID_GROUP, "group name must match [A-Za-z0-9_.:-]{1," + Groups.MAX_NAME_LENGTH + "}");
    }
    if (Groups.presenceOf(group) != null) {
      throw new ApiError(403, ErrorCode.FORBIDDEN, "presence events are published by the gateways only");
    }
    if (!trusted && !policy.mayPublish(group)) {
      throw new ApiError(403, ErrorCode.FORBIDDEN, "publishing to '" + group + "' is not allowed");
    }
  }
}
