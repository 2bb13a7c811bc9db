package io.github.switchboard.gateway.socket;

import io.github.switchboard.gateway.auth.Principal;
import io.github.switchboard.gateway.limit.RateLimiter;
import io.github.switchboard.protocol.Delivery;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundInvoker;

import java.util.Arrays;

/**
 * One open WebSocket and what the gateway must remember about it. There may be 10^5 of these
 * per gateway, so it holds a handful of fields and a small array of group names, nothing more.
 */
public final class Session implements RateLimiter.Bucket {

  private static final String[] NO_GROUPS = new String[0];

  private final String id;
  /** The socket's Netty channel: data frames are written to it directly (see FrameWriter). */
  private final Channel channel;
  /**
   * Where finished data frames enter the pipeline: right behind the WebSocket encoder once the
   * upgrade is done, so they skip the handlers that have nothing to do with them.
   */
  private ChannelOutboundInvoker dataOut;
  private final Endpoint endpoint;
  /** The request path of the upgrade (the chat endpoint's room is its last segment). */
  private final String path;
  /** The client's IP address as the server saw it, for the per-address connection limit. */
  private final String remoteHost;
  /** The status code of the client's close frame; -1 before one arrives or when it had none. */
  private short closeCode = -1;
  private String[] groups = NO_GROUPS;
  private int groupCount;
  private boolean awaitingPong;
  private boolean closing;
  private boolean closed;
  /** Written to since the last flush; the FlushCoalescer flushes it at the end of the run. */
  private boolean flushPending;
  private int dropped;
  private long droppingSince;
  private int messageBytes;
  /** Null for an anonymous connection. */
  private Principal principal;
  private long tokens;
  private long refilledAt;
  private int rateViolations;
  /** When the last message was refused for the rate (ns); a quiet spell starts a new count. */
  private long lastViolationAt;
  /** Non-null only while a subscribe with since is replaying history. */
  private Recovery recovery;

  public Session(String id, Channel channel, Endpoint endpoint, String path, String remoteHost, long initialTokens) {
    this.tokens = initialTokens;
    this.refilledAt = System.nanoTime();
    this.id = id;
    this.path = path;
    this.remoteHost = remoteHost;
    this.channel = channel;
    this.dataOut = channel;
    this.endpoint = endpoint;
  }

  /** Connection id: unique across the cluster, sent to chat clients as their {@code sender}. */
  public String id() {
    return id;
  }

  ChannelOutboundInvoker dataOut() {
    return dataOut;
  }

  void dataOut(ChannelOutboundInvoker value) {
    dataOut = value;
  }

  public String path() {
    return path;
  }

  public String remoteHost() {
    return remoteHost;
  }

  public int closeCode() {
    return closeCode;
  }

  void closeCode(int code) {
    closeCode = (short) code;
  }

  public Principal principal() {
    return principal;
  }

  public void principal(Principal value) {
    principal = value;
  }

  /**
   * Who this connection speaks as in chat messages: the token's subject when authenticated,
   * else the connection id. Never a value the client chose.
   */
  public String sender() {
    return principal == null ? id : principal.subject();
  }

  /** The connection under the socket: data frames go straight to it, and it is cut when a close frame cannot get through. */
  public Channel channel() {
    return channel;
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

  /** The first group joined: for the seed endpoints, the only one. */
  public String primaryGroup() {
    return groupCount == 0 ? null : groups[0];
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
        return true;
      }
    }
    return false;
  }

  boolean awaitingPong() {
    return awaitingPong;
  }

  void awaitingPong(boolean value) {
    awaitingPong = value;
  }

  public boolean closing() {
    return closing;
  }

  public void closing(boolean value) {
    closing = value;
  }

  public boolean closed() {
    return closed;
  }

  void closed(boolean value) {
    closed = value;
  }

  boolean flushPending() {
    return flushPending;
  }

  void flushPending(boolean value) {
    flushPending = value;
  }

  /** Deliveries dropped since the socket's write queue last filled up. */
  public int dropped() {
    return dropped;
  }

  /** Epoch ms when the current run of drops began; 0 when the socket keeps up. */
  public long droppingSince() {
    return droppingSince;
  }

  public void recordDrop(long now) {
    if (droppingSince == 0) {
      droppingSince = now;
    }
    dropped++;
  }

  public void resetDrops() {
    dropped = 0;
    droppingSince = 0;
  }

  /** True while live deliveries of the group are held back for a history replay. */
  public boolean recovering(String group) {
    return recovery != null && recovery.holds(group);
  }

  public void hold(String group, Delivery delivery) {
    recovery.hold(group, delivery);
  }

  void beginRecovery(String group) {
    if (recovery == null) {
      recovery = new Recovery();
    }
    recovery.begin(group);
  }

  /** Ends the replay of the group; returns the held deliveries and whether some were lost. */
  Recovery.Held endRecovery(String group) {
    if (recovery == null) {
      return new Recovery.Held(java.util.List.of(), false);
    }
    boolean overflowed = recovery.overflowed(group);
    Recovery.Held held = new Recovery.Held(recovery.end(group), overflowed);
    if (recovery.isEmpty()) {
      recovery = null;
    }
    return held;
  }

  /** Counts a frame of the message being received; returns the message's size so far. */
  int addMessageBytes(int frameBytes, boolean firstFrame) {
    messageBytes = firstFrame ? frameBytes : messageBytes + frameBytes;
    return messageBytes;
  }

  @Override
  public long tokens() {
    return tokens;
  }

  @Override
  public long refilledAt() {
    return refilledAt;
  }

  @Override
  public void refilled(long tokens, long at) {
    this.tokens = tokens;
    this.refilledAt = at;
  }

  /**
   * Counts a message refused for the rate and returns the refusals so far. A client that keeps
   * flooding is refused again and again with a few messages accepted in between (the bucket
   * refills), so accepted messages do not reset the count; only a spell of {@code quietNanos}
   * without refusals does.
   */
  public int rateViolation(long nowNanos, long quietNanos) {
    rateViolations = nowNanos - lastViolationAt > quietNanos ? 1 : rateViolations + 1;
    lastViolationAt = nowNanos;
    return rateViolations;
  }

  @Override
  public String toString() {
    return "conn=" + id + " endpoint=" + endpoint.path();
  }
}
