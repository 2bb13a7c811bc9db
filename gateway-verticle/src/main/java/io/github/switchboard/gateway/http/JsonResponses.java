package io.github.switchboard.gateway.http;

import io.github.switchboard.protocol.ErrorCode;
import io.github.switchboard.protocol.ServerFrames;
import io.vertx.ext.web.RoutingContext;

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
}
