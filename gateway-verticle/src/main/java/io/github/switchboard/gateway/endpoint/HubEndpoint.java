package io.github.switchboard.gateway.endpoint;

import io.github.switchboard.gateway.session.Session;
import io.github.switchboard.gateway.session.Endpoint;
import io.github.switchboard.gateway.session.EndpointHandler;
import io.github.switchboard.gateway.transport.FrameWriter;
import io.github.switchboard.gateway.fanout.GroupRegistry;
import io.github.switchboard.gateway.stream.StreamErrors;
import io.github.switchboard.gateway.stream.StreamGroups;
import io.github.switchboard.gateway.stream.Streams;
import io.github.switchboard.protocol.Delivery;
import io.github.switchboard.protocol.Groups;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;

/**
 * {@code /ws/hub}: every frame a client sends goes, unchanged and as the same frame type, to
 * every other hub socket on every gateway, and never back to its sender. When a rule gives
 * {@code hub} a history, the hub is a stream: each frame is numbered and stored before it is
 * relayed ({@link Streams}), so {@code /ws} subscribers of {@code hub} recover with
 * {@code since}; a frame that cannot be stored is not relayed, and its sender gets an error
 * frame (the seed protocol has none, but a silent drop would be worse).
 */
public final class HubEndpoint implements EndpointHandler {

  private static final Logger log = LoggerFactory.getLogger(HubEndpoint.class);

  private final GroupRegistry groups;
  private final EventBus eventBus;
  private final Streams streams;
  private final FrameWriter writer;

  public HubEndpoint(GroupRegistry groups, EventBus eventBus, Streams streams, FrameWriter writer) {
    this.groups = groups;
    this.eventBus = eventBus;
    this.streams = streams;
    this.writer = writer;
  }

  @Override
  public Endpoint endpoint() {
    return Endpoint.HUB;
  }

  @Override
  public String fixedGroup(String path) {
    return Groups.HUB;
  }

  /** Every hub frame is relayed to the other hub sockets. */
  @Override
  public boolean publishesToFixedGroup() {
    return true;
  }

  @Override
  public void open(Session session) {
    groups.join(Groups.HUB, session);
  }

  @Override
  public void text(Session session, String text) {
    publish(session, looksLikeJson(text) ? Delivery.Kind.JSON : Delivery.Kind.TEXT, text.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public void binary(Session session, byte[] data, FrameWriter writer) {
    publish(session, Delivery.Kind.BINARY, data);
  }

  private void publish(Session session, Delivery.Kind kind, byte[] payload) {
    Delivery delivery = new Delivery(kind, Delivery.NO_SEQ, session.id(), false, System.currentTimeMillis(), payload);
    if (streams.kind(Groups.HUB) != StreamGroups.Kind.STREAM) {
      eventBus.publish(Groups.address(Groups.HUB), delivery.encode());
      return;
    }
    streams.publish(Groups.HUB, delivery).onFailure(e -> {
      StreamErrors.Refusal refusal = StreamErrors.refusal(Groups.HUB, e);
      log.warn("{} hub frame not stored, not relayed: {}", session, e.getMessage());
      writer.error(session, refusal.code(), refusal.message(), null);
    });
  }

  /**
   * Hub frames are relayed as they are; knowing that one is JSON only matters to {@code /ws}
   * subscribers of the hub, who then get it as a JSON value rather than a string.
   */
  static boolean looksLikeJson(String text) {
    String s = text.strip();
    if (s.isEmpty() || (s.charAt(0) != '{' && s.charAt(0) != '[')) {
      return false;
    }
    try {
      Json.decodeValue(s);
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }
}
