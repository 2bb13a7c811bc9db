package io.github.switchboard.gateway.socket;

import io.github.switchboard.gateway.GatewayStats;
import io.github.switchboard.gateway.fanout.GroupRegistry;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Upgrades an HTTP request to a WebSocket and wires the parts every endpoint shares: session
 * registration, write queue cap, pong tracking, counting, and leaving all groups on close.
 */
public final class SocketAcceptor {

  private static final Logger log = LoggerFactory.getLogger(SocketAcceptor.class);

  private final Sessions sessions;
  private final GroupRegistry groups;
  private final FrameWriter writer;
  private final GatewayStats stats;
  private final int writeQueueMaxBytes;

  public SocketAcceptor(Sessions sessions, GroupRegistry groups, FrameWriter writer, GatewayStats stats, int writeQueueMaxBytes) {
    this.sessions = sessions;
    this.groups = groups;
    this.writer = writer;
    this.stats = stats;
    this.writeQueueMaxBytes = writeQueueMaxBytes;
  }

  public void accept(RoutingContext ctx, SocketAdapter adapter) {
    ctx.request().toWebSocket()
      .onSuccess(socket -> opened(socket, adapter))
      .onFailure(e -> log.debug("WebSocket upgrade on {} failed: {}", ctx.request().path(), e.getMessage()));
  }

  private void opened(ServerWebSocket socket, SocketAdapter adapter) {
    Session session = new Session(sessions.newId(), socket, adapter.endpoint());
    socket.setWriteQueueMaxSize(writeQueueMaxBytes);
    sessions.add(session);
    stats.connectionOpened();
    socket.textMessageHandler(text -> {
      stats.messageIn();
      adapter.text(session, text);
    });
    socket.binaryMessageHandler(data -> {
      stats.messageIn();
      adapter.binary(session, data, writer);
    });
    socket.pongHandler(data -> KeepAlive.ponged(session));
    socket.exceptionHandler(e -> log.debug("{} socket error: {}", session, e.getMessage()));
    socket.closeHandler(v -> {
      session.closing(true);
      groups.leaveAll(session);
      sessions.remove(session);
      log.debug("{} closed with {}", session, socket.closeStatusCode());
    });
    log.debug("{} opened from {}", session, socket.remoteAddress());
    adapter.open(session);
  }
}
