package io.github.switchboard.gateway.http;

import io.github.switchboard.protocol.ErrorCode;
import io.github.switchboard.protocol.ServerFrames;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.Arrays;
import java.util.stream.Collectors;

/** JSON responses, so that every HTTP answer, errors included, has a JSON body. */
public final class JsonResponses {

  private JsonResponses() {
  }

  public static void send(RoutingContext ctx, int status, Object body) {
    ctx.response()
      .setStatusCode(status)
      .putHeader("content-type", "application/json; charset=utf-8")
      .end(io.vertx.core.json.Json.encode(body));
  }

  public static void error(RoutingContext ctx, int status, ErrorCode code, String message) {
    send(ctx, status, ServerFrames.httpError(code, message));
  }

  /** A route for reading a resource: GET, and HEAD with the same status and headers and no body. */
  public static Route read(Router router, String path) {
    return router.route(path).method(HttpMethod.GET).method(HttpMethod.HEAD);
  }

  /**
   * Answers any method on the path that its routes do not take with 405 and an {@code Allow}
   * header (rather than the 404 of an unknown path). Mount it after the path's own routes.
   */
  public static void onlyAllow(Router router, String path, HttpMethod... allowed) {
    String allow = Arrays.stream(allowed).map(HttpMethod::name).collect(Collectors.joining(", "));
    router.route(path).handler(ctx -> {
      ctx.response().putHeader(HttpHeaders.ALLOW, allow);
      error(ctx, 405, ErrorCode.METHOD_NOT_ALLOWED, ctx.request().method().name() + " is not allowed here; use " + allow);
    });
  }
}
