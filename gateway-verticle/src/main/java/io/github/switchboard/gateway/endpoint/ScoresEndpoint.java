package io.github.switchboard.gateway.endpoint;

import io.github.switchboard.gateway.session.Session;
import io.github.switchboard.gateway.session.Endpoint;
import io.github.switchboard.gateway.session.EndpointHandler;
import io.github.switchboard.gateway.transport.FrameWriter;
import io.github.switchboard.protocol.ClientFrameParser;
import io.github.switchboard.protocol.Groups;
import io.github.switchboard.protocol.ErrorCode;
import io.github.switchboard.protocol.ProtocolException;
import io.vertx.core.json.JsonObject;

/**
 * {@code /ws/scores}: the live-score feed of the seed app. {@code INITIAL} comes from the
 * gateway's {@link ScoresView}, updates through the {@code scores} group; {@code PING} is
 * answered here with the client's timestamp echoed.
 */
public final class ScoresEndpoint implements EndpointHandler {

  private final ScoresView view;
  private final FrameWriter writer;

  public ScoresEndpoint(ScoresView view, FrameWriter writer) {
    this.view = view;
    this.writer = writer;
  }

  @Override
  public Endpoint endpoint() {
    return Endpoint.SCORES;
  }

  @Override
  public String fixedGroup(String path) {
    return Groups.SCORES;
  }

  @Override
  public void open(Session session) {
    view.opened(session);
  }

  @Override
  public void closed(Session session) {
    view.closed(session);
  }

  @Override
  public void text(Session session, String text) {
    JsonObject frame;
    try {
      frame = ClientFrameParser.parseObject(text);
    } catch (ProtocolException e) {
      writer.error(session, e);
      return;
    }
    Object type = frame.getValue("type");
    if (!"PING".equals(type)) {
      writer.error(session, type == null ? ErrorCode.INVALID_FIELD : ErrorCode.UNKNOWN_TYPE,
        type == null ? "missing field 'type'" : "only PING is accepted on /ws/scores", null);
      return;
    }
    JsonObject pong = new JsonObject().put("type", "PONG");
    // A client that sent its own timestamp computes latency from it, so it goes back unchanged;
    // the seed's own client sends none and shows the time of the PONG: the server's clock.
    Object timestamp = frame.getValue("timestamp");
    pong.put("timestamp", timestamp != null ? timestamp : System.currentTimeMillis());
    pong.put("serverTime", System.currentTimeMillis());
    writer.reply(session, pong.encode());
  }
}
