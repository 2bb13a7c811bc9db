package io.github.switchboard.gateway.session;

import io.github.switchboard.gateway.transport.CloseReason;
import io.github.switchboard.gateway.transport.SocketCloser;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Every open socket of this gateway, for keep-alive, drain and counting, and the authenticated
 * ones by user (the server API disconnects a user and subscribes a user's sockets). Event loop
 * only.
 */
public final class Sessions {

  /** How often a drain looks whether every socket has gone. */
  static final long DRAIN_POLL_MS = 50;
  private static final Logger log = LoggerFactory.getLogger(Sessions.class);

  private final Set<Session> open = new HashSet<>();
  private final Map<Endpoint, Integer> byEndpoint = new EnumMap<>(Endpoint.class);
  /** Authenticated sockets by user id; most users hold one or two. */
  private final Map<String, List<Session>> byUser = new HashMap<>();
  /** Random per gateway so that ids from different gateways do not collide. */
  private final String idPrefix = Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36 * 36 * 36, 36L * 36 * 36 * 36 * 36 * 36 * 36), 36);
  private long nextId;

  public String newId() {
    return idPrefix + "-" + Long.toString(++nextId, 36);
  }

  public void add(Session session) {
    open.add(session);
    byEndpoint.merge(session.endpoint(), 1, Integer::sum);
    if (session.principal() != null) {
      byUser.computeIfAbsent(session.principal().subject(), u -> new ArrayList<>(1)).add(session);
    }
  }

  public boolean remove(Session session) {
    if (open.remove(session)) {
      byEndpoint.merge(session.endpoint(), -1, Integer::sum);
      if (session.principal() != null) {
        String user = session.principal().subject();
        List<Session> sockets = byUser.get(user);
        if (sockets != null && sockets.remove(session) && sockets.isEmpty()) {
          byUser.remove(user);
        }
      }
      return true;
    }
    return false;
  }

  public int size() {
    return open.size();
  }

  public int size(Endpoint endpoint) {
    return byEndpoint.getOrDefault(endpoint, 0);
  }

  /** The user's open sockets on this gateway (a copy; empty when none). */
  public List<Session> ofUser(String user) {
    List<Session> sockets = byUser.get(user);
    return sockets == null ? List.of() : new ArrayList<>(sockets);
  }

  /** Distinct authenticated users with a socket here. */
  public int users() {
    return byUser.size();
  }

  /** This gateway's id: the prefix of every connection id it gives. */
  public String gatewayId() {
    return idPrefix;
  }

  /**
   * The open socket with this connection id, or null. A walk over every socket: for an
   * operator's query (the server API), not for anything a client's frame triggers.
   */
  public Session find(String id) {
    for (Session session : open) {
      if (session.id().equals(id)) {
        return session;
      }
    }
    return null;
  }

  /** A copy, so sockets may close while the caller walks it. */
  public List<Session> all() {
    return new ArrayList<>(open);
  }

  /**
   * Closes every socket with {@link CloseReason#SHUTDOWN}, so that clients reconnect to another
   * gateway, and completes when all have gone or {@code timeoutMs} has passed.
   */
  public Future<Void> drain(Vertx vertx, SocketCloser closer, long timeoutMs) {
    log.info("Gateway draining: closing {} sockets with {}", size(), CloseReason.SHUTDOWN.code());
    for (Session session : all()) {
      closer.close(session, CloseReason.SHUTDOWN);
    }
    Promise<Void> drained = Promise.promise();
    awaitEmpty(vertx, drained, System.currentTimeMillis() + timeoutMs);
    return drained.future();
  }

  private void awaitEmpty(Vertx vertx, Promise<Void> drained, long deadline) {
    if (open.isEmpty() || System.currentTimeMillis() >= deadline) {
      if (!open.isEmpty()) {
        log.warn("Drain time over with {} sockets still open", open.size());
      }
      drained.complete();
      return;
    }
    vertx.setTimer(DRAIN_POLL_MS, id -> awaitEmpty(vertx, drained, deadline));
  }
}
