package io.github.switchboard.gateway.session;

import io.github.switchboard.gateway.auth.Principal;
import io.github.switchboard.gateway.transport.Connection;
import io.github.switchboard.gateway.transport.Framing;
import io.github.switchboard.protocol.Delivery;
import io.netty.channel.Channel;

import java.util.Arrays;
import java.util.List;

/**
 * One open WebSocket (or HTTP stream) as the gateway's application sees it: who holds it, which endpoint it
 * came in on, which groups it is in, and a history replay in progress. It extends the
 * transport's {@link Connection} (one object per socket for both layers' fields). There may be
 * 10^5 of these per gateway, so it holds a handful of fields and a small array of group names,
 * nothing more. Event loop only.
 */
public final class Session extends Connection {

  private static final String[] NO_GROUPS = new String[0];

  private final String id;
  private final Endpoint endpoint;
  /** The request path of the upgrade (the chat endpoint's room is its last segment). */
  private final String path;
  /** Null for an anonymous connection. */
  private final Principal principal;
  private String[] groups = NO_GROUPS;
  private int groupCount;
  /** Whether the client asked for the gateway's own greeting frame ({@code ?welcome=1}). */
  private final boolean greet;
  /** Null for most sockets most of the time: see {@link Rare}. */
  private Rare rare;

  /**
   * What few sockets hold, behind one reference instead of one per item (every socket pays for a
   * field, 10^5 times): a history replay in progress, and a Server-Sent Events stream's cursor.
   */
  private static final class Rare {
    /** Non-null only while a subscribe with since is replaying history. */
    Recovery recovery;
    /** Server-Sent Events only, from its first stream message: see {@link Session#eventId}. */
    EventCursor cursor;
  }

  public Session(String id, Channel channel, Endpoint endpoint, String path, Principal principal) {
    this(id, channel, endpoint, path, principal, false);
  }

  public Session(String id, Channel channel, Endpoint endpoint, String path, Principal principal, boolean greet) {
    this(id, channel, endpoint, path, principal, greet, Framing.WEBSOCKET);
  }

  /** A session on an HTTP stream ({@link Framing#EVENT_STREAM} or {@link Framing#JSON_LINES}) or a WebSocket. */
  public Session(String id, Channel channel, Endpoint endpoint, String path, Principal principal, boolean greet,
                 Framing framing) {
    super(channel, framing);
    this.greet = greet;
    this.id = id;
    this.path = path;
    this.endpoint = endpoint;
    this.principal = principal;
  }

  /** Connection id: unique across the cluster, sent to chat clients as their {@code sender}. */
  public String id() {
    return id;
  }

  public String path() {
    return path;
  }

  /** Whether the client asked for a greeting frame on open (only a seed endpoint has one to skip). */
  public boolean greet() {
    return greet;
  }

  public Principal principal() {
    return principal;
  }

  @Override
  public long expiresAt() {
    return principal == null ? Long.MAX_VALUE : principal.expiresAt();
  }

  /** Only the {@code /ws} protocol has a frame that reports drops ({@code slow_consumer}). */
  @Override
  public boolean reportsDrops() {
    return endpoint == Endpoint.MULTIPLEX;
  }

  /** The seed endpoints' clients know nothing of error frames, and some answer every frame. */
  @Override
  public boolean limitsErrorFrames() {
    return endpoint != Endpoint.MULTIPLEX;
  }

  /**
   * Who this connection speaks as in chat messages: the token's subject when authenticated,
   * else the connection id. Never a value the client chose.
   */
  public String sender() {
    return principal == null ? id : principal.subject();
  }

  public Endpoint endpoint() {
    return endpoint;
  }

  public boolean inGroup(String group) {
    for (int i = 0; i < groupCount; i++) {
      if (groups[i].equals(group)) {
        return true;
      }
    }
    return false;
  }

  public int groupCount() {
    return groupCount;
  }

  /** A copy, so callers may leave groups while walking it. */
  public String[] groups() {
    return Arrays.copyOf(groups, groupCount);
  }

  /** Called by the group registry only, which keeps the other side of the membership. */
  public boolean addGroup(String group) {
    if (inGroup(group)) {
      return false;
    }
    if (groupCount == groups.length) {
      groups = Arrays.copyOf(groups, Math.max(1, groupCount * 2));
    }
    groups[groupCount++] = group;
    return true;
  }

  /** Called by the group registry only. */
  public boolean removeGroup(String group) {
    for (int i = 0; i < groupCount; i++) {
      if (groups[i].equals(group)) {
        System.arraycopy(groups, i + 1, groups, i, groupCount - i - 1);
        groups[--groupCount] = null;
        if (rare != null && rare.cursor != null) {
          rare.cursor.forget(group);
        }
        return true;
      }
    }
    return false;
  }

  /**
   * The event id that goes with a message at {@code offset} of stream group {@code group} on a
   * Server-Sent Events connection: the connection's position in every stream group, which an
   * EventSource sends back as {@code Last-Event-ID}. Null elsewhere (no id is written).
   */
  public String eventId(String group, long offset, String epoch) {
    if (framing() != Framing.EVENT_STREAM || offset < 0) {
      return null;
    }
    if (rare == null) {
      rare = new Rare();
    }
    if (rare.cursor == null) {
      rare.cursor = new EventCursor();
    }
    return rare.cursor.advance(group, offset, epoch);
  }

  /** The same for a delivery; null for one without an offset. */
  public String eventId(String group, Delivery delivery) {
    return delivery.hasSeq() ? eventId(group, delivery.seq(), delivery.epoch()) : null;
  }

  /** True while live deliveries of the group are held back for a history replay. */
  public boolean recovering(String group) {
    return rare != null && rare.recovery != null && rare.recovery.holds(group);
  }

  /** Holds a live delivery of a group being recovered; see {@link Recovery}. */
  public void hold(String group, Delivery delivery) {
    rare.recovery.hold(group, delivery);
  }

  /** From now on, live deliveries of the group are held until {@link #endRecovery}. */
  public void beginRecovery(String group) {
    if (rare == null) {
      rare = new Rare();
    }
    if (rare.recovery == null) {
      rare.recovery = new Recovery();
    }
    rare.recovery.begin(group);
  }

  /** Ends the replay of the group; returns the held deliveries and whether some were lost. */
  public Recovery.Held endRecovery(String group) {
    if (rare == null || rare.recovery == null) {
      return new Recovery.Held(List.of(), false);
    }
    Recovery.Held held = rare.recovery.end(group);
    if (rare.recovery.isEmpty()) {
      rare.recovery = null;
      if (rare.cursor == null) {
        rare = null;
      }
    }
    return held;
  }

  @Override
  public String toString() {
    return "conn=" + id + " endpoint=" + endpoint.path();
  }
}
