package io.github.switchboard.gateway.http;

import io.github.switchboard.gateway.admission.Admission;
import io.github.switchboard.gateway.admission.Refusal;
import io.github.switchboard.gateway.api.ControlChannel;
import io.github.switchboard.gateway.api.LocalCommands;
import io.github.switchboard.gateway.session.Endpoint;
import io.github.switchboard.gateway.session.Session;
import io.github.switchboard.gateway.session.SessionLifecycle;
import io.github.switchboard.gateway.session.Sessions;
import io.github.switchboard.gateway.session.StreamSessions;
import io.github.switchboard.gateway.transport.FrameWriter;
import io.github.switchboard.gateway.transport.Framing;
import io.github.switchboard.gateway.transport.StreamAcceptor;
import io.github.switchboard.protocol.ErrorCode;
import io.github.switchboard.protocol.Groups;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The transports for clients whose WebSocket upgrade cannot pass: {@code GET /sse} (Server-Sent
 * Events) and {@code GET /stream} (chunked JSON lines) carry {@code /ws}'s server frames down,
 * and {@code POST /emulation} carries the client's frames up, to whichever gateway the balancer
 * picks: a gateway that does not hold the stream passes them over the event bus to the one
 * that does (no sticky sessions). docs/protocol.md, "Without WebSocket".
 */
public final class StreamRoutes {

  public static final String SSE = "/sse";
  public static final String LINES = "/stream";
  public static final String EMULATION = "/emulation";
  private static final Logger log = LoggerFactory.getLogger(StreamRoutes.class);

  private final Admission admission;
  private final StreamAcceptor acceptor;
  private final Sessions sessions;
  private final StreamSessions streams;
  private final SessionLifecycle lifecycle;
  private final FrameWriter writer;
  private final ControlChannel control;
  private final int maxSubscriptions;

  public StreamRoutes(Admission admission, StreamAcceptor acceptor, Sessions sessions, StreamSessions streams,
                      SessionLifecycle multiplex, FrameWriter writer, ControlChannel control, int maxSubscriptions) {
    this.admission = admission;
    this.acceptor = acceptor;
    this.sessions = sessions;
    this.streams = streams;
    this.lifecycle = multiplex;
    this.writer = writer;
    this.control = control;
    this.maxSubscriptions = maxSubscriptions;
  }

  /** @param maxBodyBytes largest {@code POST /emulation} body (413 above) */
  public void mount(Router router, int maxBodyBytes) {
    for (String path : List.of(SSE, SSE + "/")) {
      router.get(path).handler(ctx -> open(ctx, Framing.EVENT_STREAM));
      JsonResponses.onlyAllow(router, path, HttpMethod.GET);
    }
    for (String path : List.of(LINES, LINES + "/")) {
      router.get(path).handler(ctx -> open(ctx, Framing.JSON_LINES));
      JsonResponses.onlyAllow(router, path, HttpMethod.GET);
    }
    router.post(EMULATION).handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes)).handler(this::emulate);
    router.post(EMULATION).failureHandler(ctx -> {
      if (ctx.statusCode() == 413) {
        JsonResponses.error(ctx, 413, ErrorCode.TOO_LARGE, "body larger than " + maxBodyBytes + " bytes");
      } else {
        ctx.next();
      }
    });
    JsonResponses.onlyAllow(router, EMULATION, HttpMethod.POST);
  }

  /** What a stream is opened with: its groups and where to start in each stream group. */
  private record Opening(List<String> groups, JsonObject since) {
  }

  private void open(RoutingContext ctx, Framing framing) {
    HttpServerRequest request = ctx.request();
    Opening opening;
    try {
      opening = opening(request, framing);
    } catch (IllegalArgumentException e) {
      JsonResponses.error(ctx, 400, ErrorCode.INVALID_FIELD, e.getMessage());
      return;
    }
    String path = UpgradeRoute.normalize(request.path());
    admission.admitStream(request).onComplete(admitted -> {
      if (admitted.failed()) {
        UpgradeRoute.refuse(ctx, admitted.cause() instanceof Refusal refusal ? refusal
          : new Refusal(500, ErrorCode.INTERNAL_ERROR, "admission failed"));
        return;
      }
      acceptor.accept(request, framing, corsHeaders(ctx),
        channel -> new Session(sessions.newId(), channel, Endpoint.MULTIPLEX, path, admitted.result(), false, framing),
        streams.around(lifecycle), stream -> {
          Session session = stream.connection();
          String key = streams.add(stream);
          writer.reply(session, new JsonObject().put("type", "connected").put("session", key)
            .put("transport", framing.transport()).put("connectionId", session.id()).encode());
          // The groups of the URL as subscribe frames of the protocol, answered on the stream
          // like any other (subscribed with its position, or an error frame).
          for (String group : opening.groups()) {
            JsonObject subscribe = new JsonObject().put("type", "subscribe").put("group", group);
            JsonObject position = opening.since().getJsonObject(group);
            if (position != null) {
              subscribe.put("since", position);
            }
            lifecycle.text(session, subscribe.encode());
          }
        });
    });
  }

  /**
   * {@code groups=a,b}, and positions from {@code since={"a":{"offset":N,"epoch":E}}} and, for
   * Server-Sent Events, the {@code Last-Event-ID} an EventSource sends back (the same shape;
   * it wins for the groups it names, being newer than the URL).
   */
  private Opening opening(HttpServerRequest request, Framing framing) {
    List<String> groups = new ArrayList<>();
    String listed = request.getParam("groups");
    if (listed != null && !listed.isBlank()) {
      for (String group : listed.split(",")) {
        String name = group.trim();
        if (!Groups.isValidName(name)) {
          throw new IllegalArgumentException("group '" + name + "' does not match [A-Za-z0-9_.:-]{1,128}");
        }
        if (!groups.contains(name)) {
          groups.add(name);
        }
      }
    }
    if (groups.size() > maxSubscriptions) {
      throw new IllegalArgumentException("more than " + maxSubscriptions + " groups (maxSubscriptions)");
    }
    Map<String, Object> since = new LinkedHashMap<>(positions(request.getParam("since"), "since").getMap());
    if (framing == Framing.EVENT_STREAM) {
      since.putAll(positions(request.getHeader("Last-Event-ID"), "Last-Event-ID").getMap());
    }
    return new Opening(groups, new JsonObject(since));
  }

  private static JsonObject positions(String text, String what) {
    if (text == null || text.isBlank()) {
      return new JsonObject();
    }
    JsonObject positions;
    try {
      positions = new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      throw new IllegalArgumentException(what + " must be a JSON object {\"group\":{\"offset\":N,\"epoch\":E}}");
    }
    for (String group : positions.fieldNames()) {
      if (!(positions.getValue(group) instanceof JsonObject)) {
        throw new IllegalArgumentException(what + ": the position of '" + group + "' must be {\"offset\":N,\"epoch\":E}");
      }
    }
    return positions;
  }

  /** The CORS answer the Cors handler prepared for this request: the stream's head carries it. */
  private static Map<String, String> corsHeaders(RoutingContext ctx) {
    Map<String, String> headers = new LinkedHashMap<>();
    ctx.response().headers().forEach(header -> {
      if (header.getKey().regionMatches(true, 0, "Access-Control-", 0, 15) || header.getKey().equalsIgnoreCase("Vary")) {
        headers.put(header.getKey(), header.getValue());
      }
    });
    return headers;
  }

  /**
   * {@code {"session":KEY,"frames":[F,...]}} (or {@code "frame":F}), each F a frame as a JSON object
   * or as its text: the frames go up the
   * stream of KEY, here or on the gateway that holds it; 204 once handed over, in order. Their
   * answers (acks, errors, pongs) come down the stream.
   */
  private void emulate(RoutingContext ctx) {
    JsonObject body;
    try {
      body = ctx.body().asJsonObject();
    } catch (DecodeException | ClassCastException e) {
      JsonResponses.error(ctx, 400, ErrorCode.INVALID_JSON, "body must be a JSON object");
      return;
    }
    if (body == null) {
      JsonResponses.error(ctx, 400, ErrorCode.INVALID_JSON, "body must be a JSON object");
      return;
    }
    Object key = body.getValue("session");
    if (!(key instanceof String session) || StreamSessions.gatewayOf(session) == null) {
      JsonResponses.error(ctx, 400, ErrorCode.INVALID_FIELD, "field 'session' must be the key of a 'connected' frame");
      return;
    }
    List<String> frames = new ArrayList<>();
    Object many = body.getValue("frames");
    Object one = body.getValue("frame");
    if (many instanceof JsonArray array && one == null) {
      for (Object frame : array) {
        String text = frameText(frame);
        if (text == null) {
          JsonResponses.error(ctx, 400, ErrorCode.INVALID_FIELD,
            "every element of 'frames' must be a frame: a JSON object, or its text as a string");
          return;
        }
        frames.add(text);
      }
    } else if (many == null && frameText(one) != null) {
      frames.add(frameText(one));
    } else {
      JsonResponses.error(ctx, 400, ErrorCode.INVALID_FIELD,
        "give 'frame' (a JSON object, or its text) or 'frames' (an array of them)");
      return;
    }
    if (streams.deliver(session, frames)) {
      ctx.response().setStatusCode(204).end();
      return;
    }
    String gateway = StreamSessions.gatewayOf(session);
    if (gateway.equals(sessions.gatewayId())) {
      notFound(ctx);
      return;
    }
    JsonObject command = new JsonObject().put("op", LocalCommands.FRAMES).put("session", session)
      .put("frames", new JsonArray(new ArrayList<>(frames)));
    control.askOne(gateway, command).onComplete(ar -> {
      if (ar.succeeded() && ar.result().getBoolean("delivered", false)) {
        ctx.response().setStatusCode(204).end();
      } else if (ar.succeeded() || ar.cause() instanceof ReplyException reply
        && reply.failureType() == ReplyFailure.NO_HANDLERS) {
        notFound(ctx);
      } else {
        log.warn("emulation frames for gateway={} not passed on: {}", gateway, ar.cause().getMessage());
        JsonResponses.error(ctx, 504, ErrorCode.TIMEOUT,
          "the gateway holding this stream did not answer; the frames may or may not have arrived");
      }
    });
  }

  /**
   * A frame as the stream's handler reads it: an object as JSON text, or a string as it is (the
   * text a WebSocket frame would carry, parsed, and if need be refused with an error frame, by
   * the same parser as {@code /ws}'s); null for anything else.
   */
  private static String frameText(Object frame) {
    if (frame instanceof JsonObject object) {
      return object.encode();
    }
    return frame instanceof String text ? text : null;
  }

  private static void notFound(RoutingContext ctx) {
    JsonResponses.error(ctx, 404, ErrorCode.NOT_FOUND, "no open stream with this session key (it closed: open a new one)");
  }
}
