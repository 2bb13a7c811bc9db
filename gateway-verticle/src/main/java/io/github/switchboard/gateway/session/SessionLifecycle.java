package io.github.switchboard.gateway.session;

import io.github.switchboard.gateway.metrics.GatewayStats;
import io.github.switchboard.gateway.transport.ConnectionHandler;
import io.github.switchboard.gateway.transport.FrameWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Consumer;

/**
 * Where the transport's events about one endpoint's sockets become session events: a socket is
 * registered and counted when it opens, its messages counted and handed to the endpoint, and
 * on close the endpoint hears of it, the socket leaves its groups and is unregistered. One per
 * endpoint.
 */
public final class SessionLifecycle implements ConnectionHandler<Session> {

  private static final Logger log = LoggerFactory.getLogger(SessionLifecycle.class);

  private final Sessions sessions;
  private final EndpointHandler handler;
  private final GatewayStats.EndpointCounters counters;
  private final FrameWriter writer;
  /** Takes a closed session out of its groups (the fan-out, a layer above this one). */
  private final Consumer<Session> leaveGroups;

  public SessionLifecycle(Sessions sessions, EndpointHandler handler, GatewayStats.EndpointCounters counters,
                          FrameWriter writer, Consumer<Session> leaveGroups) {
    this.sessions = sessions;
    this.handler = handler;
    this.counters = counters;
    this.writer = writer;
    this.leaveGroups = leaveGroups;
  }

  public EndpointHandler handler() {
    return handler;
  }

  @Override
  public void opened(Session session) {
    sessions.add(session);
    counters.connectionOpened();
    log.debug("{} opened from {}", session, session.channel().remoteAddress());
    handler.open(session);
  }

  @Override
  public void received(Session session) {
    counters.messageIn();
  }

  @Override
  public void text(Session session, String text) {
    handler.text(session, text);
  }

  @Override
  public void binary(Session session, byte[] data) {
    handler.binary(session, data, writer);
  }

  @Override
  public void closed(Session session) {
    handler.closed(session);
    leaveGroups.accept(session);
    sessions.remove(session);
    log.debug("{} closed with {}", session, session.closeCode());
  }
}
