package io.github.switchboard.gateway.http;

import io.github.switchboard.gateway.admission.OriginCheck;
import io.github.switchboard.protocol.ErrorCode;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * CORS for every HTTP route (the REST reads, the server API): a browser page of another origin
 * (a seed app's page on its own server) may call the gateway when the same {@link OriginCheck}
 * that guards WebSocket upgrades allows its origin. An allowed request gets
 * {@code Access-Control-Allow-Origin} with its own origin (never {@code *}: the answer depends
 * on the origin, hence {@code Vary: Origin}); a preflight ({@code OPTIONS} with
 * {@code Access-Control-Request-Method}) is answered here with 204, or 403 for an origin that is
 * not allowed. No credentials are allowed: the API's key goes in a header the page sets itself.
 * A WebSocket upgrade is left to admission.
 */
public final class Cors {

  static final String ALLOW_METHODS = "GET, HEAD, POST, DELETE";
  static final String ALLOW_HEADERS = "Authorization, Content-Type, Idempotency-Key";
  /** What a page may read of an answer besides the simple headers. */
  static final String EXPOSE_HEADERS = "WWW-Authenticate, Allow";
  /** How long a browser may reuse a preflight's answer. */
  static final int MAX_AGE_SECONDS = 600;

  private Cors() {
  }

  /** Mount first: every later route's answer carries the headers. */
  public static void mount(Router router, OriginCheck origins) {
    router.route().handler(ctx -> handle(ctx, origins));
  }

  private static void handle(RoutingContext ctx, OriginCheck origins) {
    HttpServerRequest request = ctx.request();
    String origin = request.getHeader(HttpHeaders.ORIGIN);
    if (origin == null || request.getHeader(HttpHeaders.UPGRADE) != null) {
      ctx.next();
      return;
    }
    boolean allowed = origins.allowsOrigin(origin, request.getHeader(HttpHeaders.HOST));
    boolean preflight = request.method() == HttpMethod.OPTIONS && request.getHeader("Access-Control-Request-Method") != null;
    ctx.response().putHeader(HttpHeaders.VARY, "Origin");
    if (preflight) {
      if (!allowed) {
        JsonResponses.error(ctx, 403, ErrorCode.FORBIDDEN, "origin not allowed");
        return;
      }
      ctx.response().setStatusCode(204)
        .putHeader("Access-Control-Allow-Origin", origin)
        .putHeader("Access-Control-Allow-Methods", ALLOW_METHODS)
        .putHeader("Access-Control-Allow-Headers", ALLOW_HEADERS)
        .putHeader("Access-Control-Max-Age", String.valueOf(MAX_AGE_SECONDS))
        .end();
      return;
    }
    if (allowed) {
      ctx.response().putHeader("Access-Control-Allow-Origin", origin).putHeader("Access-Control-Expose-Headers", EXPOSE_HEADERS);
    }
    ctx.next();
  }
}
