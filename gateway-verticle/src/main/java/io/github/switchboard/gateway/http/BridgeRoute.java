package io.github.switchboard.gateway.http;

import io.github.switchboard.gateway.admission.Admission;
import io.github.switchboard.gateway.admission.Refusal;
import io.github.switchboard.gateway.endpoint.EventBusBridge;
import io.github.switchboard.gateway.session.Sessions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandlerOptions;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Vert.x's SockJS event-bus bridge at {@code /eventbus}, for teams that already use the official
 * {@code @vertx/eventbus-bridge-client.js}. SockJS (vertx-web's) brings its transports (a
 * WebSocket, and HTTP fallbacks: xhr-streaming, xhr-polling, eventsource, htmlfile, jsonp);
 * each connection passes the same admission as an upgrade (draining, cut off, origin, token in
 * {@code ?token=} or the connect hook) before {@link EventBusBridge} speaks the bridge protocol
 * on it. A refused connection gets an {@code err} message and is closed.
 */
public final class BridgeRoute {

  public static final String PATH = "/eventbus";
  private static final Logger log = LoggerFactory.getLogger(BridgeRoute.class);

  private BridgeRoute() {
  }

  /** @param maxBodyBytes the largest POST of an HTTP fallback (a batch of the client's messages) */
  public static void mount(Vertx vertx, Router router, Admission admission, Sessions sessions, EventBusBridge bridge,
                           int maxBodyBytes) {
    // No JSESSIONID cookie: a balancer that needs stickiness for the HTTP fallbacks is set up
    // for it (docs/protocol.md, "Vert.x event-bus bridge"); the gateway does not decide.
    SockJSHandler sockJS = SockJSHandler.create(vertx, new SockJSHandlerOptions().setInsertJSESSIONID(false)
      .setRegisterWriteHandler(false));
    // The HTTP fallbacks send the client's messages as POST bodies, which SockJS reads whole.
    router.post(PATH + "/*").handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes));
    router.route(PATH + "/*").subRouter(sockJS.socketHandler(socket -> admit(admission, sessions, bridge, socket)));
  }

  private static void admit(Admission admission, Sessions sessions, EventBusBridge bridge, SockJSSocket socket) {
    // Nothing is read until the connection is admitted.
    socket.pause();
    admission.admitStream(socket.routingContext().request()).onComplete(admitted -> {
      if (admitted.failed()) {
        Refusal refusal = admitted.cause() instanceof Refusal r ? r : null;
        String message = refusal != null ? refusal.getMessage() : "admission failed";
        log.info("bridge connection from {} refused: {}", socket.remoteAddress(), message);
        socket.write(new JsonObject().put("type", "err").put("failureCode", refusal != null ? refusal.status() : 500)
          .put("failureType", refusal != null ? refusal.code().code() : "internal_error").put("message", message).encode());
        socket.close(refusal != null && refusal.status() == 503 ? 1013 : 1008, message);
        return;
      }
      bridge.open(socket, admitted.result(), sessions.newId());
      socket.resume();
    });
  }
}
