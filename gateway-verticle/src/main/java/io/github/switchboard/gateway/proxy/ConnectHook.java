package io.github.switchboard.gateway.proxy;

import io.github.switchboard.gateway.config.ProxyOptions;
import io.github.switchboard.protocol.ErrorCode;
import io.github.switchboard.protocol.Groups;
import io.vertx.core.Future;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The connect hook: on a WebSocket upgrade without a token, the backend is shown the request's
 * path, headers and cookies and says who the user is (docs/backend.md, "Connect"). This is how a
 * user logged in to the backend by a session cookie connects without a JWT.
 *
 * <p>Request: {@code POST connectUrl} with {@code {"path","headers":{name:value},"cookies":{name:value},"remoteAddress"}}
 * (header names in lower case). Answer: {@code {"user":ID,"groups":[G...],"meta":{...}}} (all
 * optional: no user means an anonymous connection, which {@code auth.anonymous} then decides), or
 * {@code {"error":{"status":401|403,"message":..,"reason":..}}} to refuse the upgrade.
 */
public final class ConnectHook {

  /** Longest user id taken from the backend (as for tokens' subjects in the server API). */
  public static final int MAX_USER_LENGTH = 256;

  /**
   * Who the backend says connects: {@code user} (null: anonymous), the groups its socket joins on
   * open, and its presence meta (null: none); or, with {@code failure} set, no answer to use.
   */
  public record Outcome(String user, List<String> groups, JsonObject meta, Backend.Reply failure) {
  }

  private final ProxyOptions options;
  private final Backend backend;

  public ConnectHook(ProxyOptions options, Backend backend) {
    this.options = options;
    this.backend = backend;
  }

  public boolean enabled() {
    return options.connectEnabled();
  }

  /** Asks the backend about the upgrade. Never fails: a refusal or failure is in the outcome. */
  public Future<Outcome> ask(HttpServerRequest request) {
    JsonObject headers = new JsonObject();
    for (Map.Entry<String, String> header : request.headers()) {
      String name = header.getKey().toLowerCase(java.util.Locale.ROOT);
      String before = headers.getString(name);
      headers.put(name, before == null ? header.getValue() : before + ", " + header.getValue());
    }
    JsonObject cookies = new JsonObject();
    for (Cookie cookie : request.cookies()) {
      cookies.put(cookie.getName(), cookie.getValue());
    }
    String remote = request.remoteAddress() == null ? null : request.remoteAddress().hostAddress();
    JsonObject body = new JsonObject().put("path", request.path()).put("headers", headers).put("cookies", cookies)
      .put("remoteAddress", remote);
    return backend.post(Backend.Hook.CONNECT, options.connectUrl(), body.encode(), "connect path=" + request.path(),
        this::problem)
      .map(reply -> {
        if (!reply.ok()) {
          return new Outcome(null, List.of(), null, reply);
        }
        JsonObject answer = reply.answer();
        List<String> groups = new ArrayList<>();
        JsonArray named = answer.getJsonArray("groups");
        if (named != null) {
          named.forEach(g -> groups.add((String) g));
        }
        return new Outcome(answer.getString("user"), List.copyOf(groups), answer.getJsonObject("meta"), null);
      });
  }

  /** What makes an answer unusable, or null. */
  private String problem(JsonObject answer) {
    Object user = answer.getValue("user");
    if (user != null && !(user instanceof String id && !id.isEmpty() && id.length() <= MAX_USER_LENGTH)) {
      return "'user' must be a string of 1 to " + MAX_USER_LENGTH + " characters, or null";
    }
    Object groups = answer.getValue("groups");
    if (groups != null) {
      if (!(groups instanceof JsonArray list)) {
        return "'groups' must be an array of group names";
      }
      for (Object group : list) {
        if (!(group instanceof String name) || !Groups.isValidName(name) || Groups.presenceOf(name) != null
          || Groups.isPersonal(name)) {
          return "'groups' holds " + group + ", not a group a socket can be put in";
        }
      }
      if (user == null && !list.isEmpty()) {
        return "'groups' needs a 'user'";
      }
    }
    Object meta = answer.getValue("meta");
    if (meta != null && !(meta instanceof JsonObject)) {
      return "'meta' must be an object";
    }
    if (meta != null && ((JsonObject) meta).encode().length() > options.maxMetaBytes()) {
      return "'meta' is larger than " + options.maxMetaBytes() + " bytes (proxy.maxMetaBytes)";
    }
    return null;
  }

  /** The HTTP status of a refused upgrade from the backend's refusal: 401 or 403 (the default). */
  public static int refusalStatus(Backend.Reply reply) {
    Object status = reply.refusal().getValue("status");
    return status instanceof Integer code && code == 401 ? 401 : 403;
  }

  /** The HTTP status of an upgrade the backend could not decide on. */
  public static int failureStatus(Backend.Reply reply) {
    return reply.error() == ErrorCode.TIMEOUT ? 504 : reply.error() == ErrorCode.BACKEND_ERROR ? 502 : 503;
  }
}
