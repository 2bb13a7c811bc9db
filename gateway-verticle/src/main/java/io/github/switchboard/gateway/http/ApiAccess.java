package io.github.switchboard.gateway.http;

import io.github.switchboard.gateway.api.ApiError;
import io.github.switchboard.protocol.ClientFrameParser;
import io.github.switchboard.protocol.ErrorCode;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.function.BooleanSupplier;

/**
 * Who may call the server API ({@code /api/...} except the public reads {@code /api/stats} and
 * {@code /api/openapi.json}): with an API key configured, a caller that presents it as a bearer
 * token, or the admin page's login cookie with its header ({@link AdminSession}). Without one,
 * the API is closed: anyone who can reach the port could otherwise publish anything and
 * disconnect anyone. The one exception is an embedded gateway (a developer's
 * machine): callers on the same machine may use it, and publish under the client group rules.
 */
public final class ApiAccess {

  /** Why the server API is refused when no key is configured, and how to open it. */
  static final String NO_KEY = "the server API needs an API key: start the gateway with apiKey (SWITCHBOARD_API_KEY) "
    + "and send 'Authorization: Bearer <key>' (an embedded gateway takes callers on its own machine without one)";
  /** The routing context key saying whether the caller presented the key. */
  private static final String TRUSTED = "switchboard.apiTrusted";

  private final byte[] key;
  /** Null when no key is configured. */
  private final AdminSession admin;
  private final boolean loopbackWithoutKey;
  private final int maxBodyBytes;
  private final BooleanSupplier cutOff;

  /**
   * @param loopbackWithoutKey with no key configured, let callers on this machine in; for an
   *                           embedded gateway only
   * @param cutOff             whether this gateway is cut off from the cluster (commands and
   *                           publishes are refused then: they would reach one side only)
   */
  public ApiAccess(String apiKey, long adminSessionMs, boolean loopbackWithoutKey, int maxBodyBytes, BooleanSupplier cutOff) {
    this.key = apiKey == null ? null : apiKey.getBytes(StandardCharsets.UTF_8);
    this.admin = apiKey == null ? null : new AdminSession(apiKey, adminSessionMs);
    this.loopbackWithoutKey = loopbackWithoutKey;
    this.maxBodyBytes = maxBodyBytes;
    this.cutOff = cutOff;
  }

  /** Whether the caller presented the key (else it came from this machine to an embedded gateway). */
  static boolean trusted(RoutingContext ctx) {
    return Boolean.TRUE.equals(ctx.get(TRUSTED));
  }

  /**
   * A route of the API that reads: the key is checked, then the caller's handler runs. Answers
   * HEAD as well as GET.
   */
  Route read(Router router, String path) {
    return JsonResponses.read(router, path).handler(this::check);
  }

  /**
   * A route of the API that changes something: the body (at most {@code maxBodyBytes}, JSON
   * whatever its content type says) is read, the key checked, and the call refused while the
   * gateway is cut off from the cluster.
   */
  Route write(Router router, HttpMethod method, String path) {
    // The body is JSON whatever the request calls it: `curl -d` labels it a form, and the body
    // handler would then parse it as one. A route of its own: Vert.x Web allows no handler
    // before the body handler in one route.
    router.route(method, path).handler(ctx -> {
      ctx.request().headers().set(HttpHeaders.CONTENT_TYPE, "application/json");
      ctx.next();
    });
    return router.route(method, path)
      .handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes))
      .handler(this::check)
      .handler(ctx -> {
        if (cutOff.getAsBoolean()) {
          JsonResponses.error(ctx, 503, ErrorCode.SERVICE_UNAVAILABLE,
            "this gateway is cut off from the cluster; nothing was done; send it to another gateway");
          return;
        }
        ctx.next();
      })
      .failureHandler(ctx -> {
        if (ctx.statusCode() == 413) {
          JsonResponses.error(ctx, 413, ErrorCode.TOO_LARGE, "body larger than " + maxBodyBytes + " bytes");
        } else {
          JsonResponses.error(ctx, ctx.statusCode() > 0 ? ctx.statusCode() : 500, ErrorCode.INTERNAL_ERROR, "request failed");
        }
      });
  }

  /** The admin page's logins; null when no key is configured (then there is nothing to log in with). */
  AdminSession admin() {
    return admin;
  }

  /** What the admin page's files are to a caller. */
  enum PageAccess {
    /** Shown: the caller logged in (or presents the key), or is on this machine of an embedded gateway without a key. */
    OPEN,
    /** A key is configured and the caller has not logged in with it. */
    LOGIN,
    /** No key is configured, and the caller is not on this machine of an embedded gateway: nothing to log in with. */
    CLOSED
  }

  PageAccess pageAccess(RoutingContext ctx) {
    if (key == null) {
      return loopbackWithoutKey && loopback(ctx) ? PageAccess.OPEN : PageAccess.CLOSED;
    }
    return authorized(ctx, true) ? PageAccess.OPEN : PageAccess.LOGIN;
  }

  /** Whether {@code candidate} is the API key (constant time). */
  boolean isKey(String candidate) {
    return key != null && candidate != null && MessageDigest.isEqual(key, candidate.getBytes(StandardCharsets.UTF_8));
  }

  private void check(RoutingContext ctx) {
    if (key == null && !(loopbackWithoutKey && loopback(ctx))) {
      JsonResponses.error(ctx, 403, ErrorCode.FORBIDDEN, NO_KEY);
      return;
    }
    if (key != null && !authorized(ctx, false)) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer");
      JsonResponses.error(ctx, 401, ErrorCode.UNAUTHORIZED, "a valid 'Authorization: Bearer <api key>' header is required");
      return;
    }
    ctx.put(TRUSTED, key != null);
    ctx.next();
  }

  /**
   * The request's JSON object body; null when the body is empty.
   *
   * @throws ApiError 400 when it is not a JSON object or holds half a surrogate pair
   */
  static JsonObject body(RoutingContext ctx) {
    String text = ctx.body().asString();
    if (text == null || text.isBlank()) {
      return null;
    }
    JsonObject body;
    try {
      body = new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      throw new ApiError(400, ErrorCode.INVALID_JSON, "body must be a JSON object");
    }
    if (!ClientFrameParser.wellFormed(text, body)) {
      throw new ApiError(400, ErrorCode.INVALID_FIELD, ClientFrameParser.LONE_SURROGATE);
    }
    return body;
  }

  /** Answers a failed call with its status and {@code {"error","message"}}. */
  static void fail(RoutingContext ctx, Throwable e) {
    ApiError error = ApiError.of(e);
    JsonResponses.error(ctx, error.status(), error.code(), error.getMessage());
  }

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

  /**
   * The key as a bearer token, or an admin login cookie: for a page (the admin page's own files,
   * which a browser loads by navigation) alone, for an API call with the admin header beside it
   * (see {@link AdminSession#HEADER}).
   */
  private boolean authorized(RoutingContext ctx, boolean page) {
    String header = ctx.request().getHeader("Authorization");
    if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      // Constant time, so the comparison does not reveal how much of a guess was right.
      return MessageDigest.isEqual(key, header.substring(7).strip().getBytes(StandardCharsets.UTF_8));
    }
    if (!page && ctx.request().getHeader(AdminSession.HEADER) == null) {
      return false;
    }
    var cookie = ctx.request().getCookie(AdminSession.COOKIE);
    return cookie != null && admin.valid(cookie.getValue(), System.currentTimeMillis());
  }
}
