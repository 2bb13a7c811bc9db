package io.github.switchboard.gateway.http;

import io.github.switchboard.gateway.admission.Admission;
import io.github.switchboard.gateway.admission.Refusal;
import io.github.switchboard.gateway.session.EndpointHandler;
import io.github.switchboard.gateway.session.Session;
import io.github.switchboard.gateway.session.SessionLifecycle;
import io.github.switchboard.gateway.session.Sessions;
import io.github.switchboard.gateway.transport.SocketAcceptor;
import io.github.switchboard.protocol.ErrorCode;
import io.github.switchboard.protocol.ServerFrames;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.Map;

/**
 * The route of each WebSocket endpoint: the endpoint's path is checked (a chat room name),
 * then {@link Admission} decides, then {@link SocketAcceptor} upgrades and a {@link Session}
 * is made for the socket. Every refusal is an HTTP answer with a JSON body.
 */
public final class UpgradeRoute {

  private final Admission admission;
  private final SocketAcceptor acceptor;
  private final Sessions sessions;

  public UpgradeRoute(Admission admission, SocketAcceptor acceptor, Sessions sessions) {
    this.admission = admission;
    this.acceptor = acceptor;
    this.sessions = sessions;
  }

  /**
   * Serves the lifecycle's endpoint at its route, with or without one trailing slash (Django
   * routes end in one: {@code ws/chat/<room>/}). {@code /ws/chat/:room} also answers any
   * deeper or empty room path with 400 rather than letting it fall through to the pages.
   */
  public void mount(Router router, SessionLifecycle lifecycle) {
    String route = lifecycle.handler().endpoint().path();
    alias(router, route, lifecycle);
    if (route.endsWith("/:room")) {
      String any = route.substring(0, route.length() - ":room".length()) + "*";
      router.get(any).handler(ctx -> upgrade(ctx, lifecycle));
      JsonResponses.onlyAllow(router, any, HttpMethod.GET);
    }
  }

  /** Serves the endpoint at another path too (a seed app's own URL), with or without a trailing slash. */
  public void alias(Router router, String path, SessionLifecycle lifecycle) {
    for (String route : List.of(path, path + "/")) {
      router.get(route).handler(ctx -> upgrade(ctx, lifecycle));
      JsonResponses.onlyAllow(router, route, HttpMethod.GET);
    }
  }

  /**
   * A WebSocket upgrade on {@code /} goes to the endpoint (the live scores seed client connects
   * to the root); any other request there goes on to the pages (the index).
   */
  public void mountRoot(Router router, SessionLifecycle lifecycle) {
    router.get("/").handler(ctx -> {
      String upgrade = ctx.request().getHeader("Upgrade");
      if (upgrade != null && upgrade.equalsIgnoreCase("websocket")) {
        upgrade(ctx, lifecycle);
      } else {
        ctx.next();
      }
    });
  }

  /** The path without one trailing slash: {@code /ws/chat/lobby/} is room {@code lobby}. */
  static String normalize(String path) {
    return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }

  private void upgrade(RoutingContext ctx, SessionLifecycle lifecycle) {
    EndpointHandler handler = lifecycle.handler();
    HttpServerRequest request = ctx.request();
    String path = normalize(request.path());
    String group;
    try {
      group = handler.fixedGroup(path);
    } catch (IllegalArgumentException e) {
      JsonResponses.error(ctx, 400, ErrorCode.INVALID_FIELD, e.getMessage());
      return;
    }
    admission.admit(request, group, handler.publishesToFixedGroup()).onComplete(admitted -> {
      if (admitted.failed()) {
        refuse(ctx, admitted.cause() instanceof Refusal refusal ? refusal
          : new Refusal(500, ErrorCode.INTERNAL_ERROR, "admission failed"));
        return;
      }
      acceptor.accept(request,
          channel -> new Session(sessions.newId(), channel, handler.endpoint(), path, admitted.result(),
            greets(request)),
          lifecycle)
        .ifPresent(refused -> refuse(ctx, new Refusal(refused.status(), ErrorCode.INVALID_FIELD, refused.message(),
          refused.headers())));
    });
  }

  /**
   * Whether the client asked for the gateway's greeting ({@code ?welcome=1}: the connection id a
   * chat page needs); a seed client does not, and gets only the frames it knows.
   */
  private static boolean greets(HttpServerRequest request) {
    String welcome = request.getParam("welcome");
    return welcome != null && !welcome.equals("0") && !welcome.equalsIgnoreCase("false");
  }

  static void refuse(RoutingContext ctx, Refusal refusal) {
    for (Map.Entry<String, String> header : refusal.headers().entrySet()) {
      ctx.response().putHeader(header.getKey(), header.getValue());
    }
    JsonObject body = ServerFrames.httpError(refusal.code(), refusal.getMessage());
    if (refusal.reason() != null) {
      body.put("reason", refusal.reason());
    }
    JsonResponses.send(ctx, refusal.status(), body);
  }
}
