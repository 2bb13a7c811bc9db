package io.github.switchboard.gateway.http;

import io.github.switchboard.gateway.api.ApiError;
import io.github.switchboard.gateway.service.ChatClient;
import io.github.switchboard.gateway.service.ScoresClient;
import io.github.switchboard.protocol.ErrorCode;
import io.github.switchboard.protocol.Groups;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Read-only REST over the services' state, answered the same by every gateway:
 * {@code GET /events}, {@code GET /events/{id}} and {@code GET /rooms/{room}/messages}.
 */
public final class ServiceRoutes {

  private ServiceRoutes() {
  }

  public static void mount(Router router, ScoresClient scores, ChatClient chat) {
    JsonResponses.read(router, "/events").handler(ctx -> scores.snapshot()
      .onSuccess(events -> JsonResponses.send(ctx, 200, events))
      .onFailure(e -> failed(ctx, e)));

    JsonResponses.read(router, "/events/:id").handler(ctx -> {
      String id = ctx.pathParam("id");
      scores.snapshot().onSuccess(events -> {
        for (Object item : events) {
          if (item instanceof JsonObject event && id.equals(event.getString("id"))) {
            JsonResponses.send(ctx, 200, event);
            return;
          }
        }
        JsonResponses.error(ctx, 404, ErrorCode.NOT_FOUND, "no event with id '" + id + "'");
      }).onFailure(e -> failed(ctx, e));
    });

    JsonResponses.read(router, "/rooms/:room/messages").handler(ctx -> {
      String room = ctx.pathParam("room");
      if (!Groups.isValidRoom(room)) {
        JsonResponses.error(ctx, 400, ErrorCode.INVALID_FIELD, "room must match [A-Za-z0-9_-]{1," + Groups.MAX_ROOM_LENGTH + "}");
        return;
      }
      chat.history(room, 0)
        .onSuccess(page -> JsonResponses.send(ctx, 200, page.getJsonArray("messages", new JsonArray())))
        .onFailure(e -> failed(ctx, e));
    });
    for (String path : new String[] {"/events", "/events/:id", "/rooms/:room/messages"}) {
      JsonResponses.onlyAllow(router, path, HttpMethod.GET, HttpMethod.HEAD);
    }
  }

  /**
   * No service, or a bound reached (limit_reached): 503; a service that did not answer in time: 504 (outcome unknown); one that
   * refused: 400 (413 for size, 404 for nothing there); else 500.
   */
  static void failed(RoutingContext ctx, Throwable e) {
    ApiAccess.fail(ctx, ApiError.ofService(e));
  }

}
