package io.github.switchboard.gateway.endpoint;

import io.github.switchboard.gateway.session.Session;
import io.github.switchboard.gateway.session.Endpoint;
import io.github.switchboard.gateway.session.EndpointHandler;
import io.github.switchboard.gateway.transport.FrameWriter;
import io.github.switchboard.gateway.fanout.GroupRegistry;
import io.github.switchboard.protocol.Delivery;
import io.github.switchboard.protocol.Groups;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.Json;

import java.nio.charset.StandardCharsets;

/**
 * {@code /ws/hub}: every frame a client sends goes, unchanged and as the same frame type, to
 * every other hub socket on every gateway, and never back to its sender.
 */
public final class HubEndpoint implements EndpointHandler {

  private final GroupRegistry groups;
  private final EventBus eventBus;

  public HubEndpoint(GroupRegistry groups, EventBus eventBus) {
    this.groups = groups;
    this.eventBus = eventBus;
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
    eventBus.publish(Groups.address(Groups.HUB), delivery.encode());
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
