package io.github.switchboard.gateway.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundInvoker;

/**
 * One client connection as the transport sees it (an upgraded WebSocket, or an HTTP streaming
 * response with its {@link Framing}): its Netty channel and the few fields the
 * transport keeps per socket (close state, keep-alive, the write queue's drops and flush, the
 * message being received, the rate bucket).
 *
 * <p>The layer above extends this class ({@code session.Session}) rather than holding one:
 * there may be 10^5 sockets per gateway, and one object per socket carrying both layers' fields
 * costs no extra header or reference. The transport only ever sees a {@code Connection}; what
 * it needs to know from above, it asks through the two methods subclasses implement.
 *
 * <p>Every field is touched on the channel's event loop only.
 */
public abstract class Connection {

  /** The socket's Netty channel: data frames are written to it directly (see FrameWriter). */
  private final Channel channel;
  /** WebSocket frames, or one of the HTTP streaming responses (a shared enum constant). */
  private final Framing framing;
  /**
   * Where finished data frames enter the pipeline: right behind the WebSocket encoder once the
   * upgrade is done, so they skip the handlers that have nothing to do with them.
   */
  private ChannelOutboundInvoker dataOut;
  /** The status code of the client's close frame; -1 before one arrives or when it had none. */
  private short closeCode = -1;
  private boolean awaitingPong;
  private boolean closing;
  private boolean closed;
  /** Written to since the last flush; the FlushCoalescer flushes it at the end of the run. */
  private boolean flushPending;
  private int dropped;
  /** Epoch ms when the write queue last went over its cap; 0 while it is below. */
  private long droppingSince;
  /** A slow-consumer check is scheduled for this socket (at most one at a time). */
  private boolean slowCheckPending;
  private int messageBytes;
  private long tokens;
  private long refilledAt;
  private int rateViolations;
  /** When the last message was refused for the rate (ns); a quiet spell starts a new count. */
  private long lastViolationAt;
  /** permessage-deflate was negotiated: messages may arrive compressed, and may go out so. */
  private boolean deflates;
  /** Seed endpoints only; see {@link #limitsErrorFrames}. */
  private int lastErrorSecond = Integer.MIN_VALUE;

  protected Connection(Channel channel) {
    this(channel, Framing.WEBSOCKET);
  }

  protected Connection(Channel channel, Framing framing) {
    this.channel = channel;
    this.framing = framing;
    this.dataOut = channel;
  }

  /** Whether permessage-deflate was negotiated for this WebSocket. */
  public final boolean deflates() {
    return deflates;
  }

  final void deflates(boolean value) {
    deflates = value;
  }

  /** How messages are cut on this connection's wire. */
  public final Framing framing() {
    return framing;
  }

  /**
   * When the credentials of this connection expire (epoch ms); {@link Long#MAX_VALUE} when they
   * do not. The inbound policy closes the socket from then on.
   */
  public abstract long expiresAt();

  /**
   * Whether the client's protocol has a frame that reports dropped deliveries: then it gets one
   * when its write queue drains after drops (see SlowConsumerPolicy).
   */
  public abstract boolean reportsDrops();

  /**
   * Whether the client's protocol is a seed app's, whose client may answer every frame it gets:
   * then it gets no error frame for a message refused by the rate limit, and at most one error
   * frame a second (FrameWriter), so that such a client cannot loop on our errors.
   */
  public abstract boolean limitsErrorFrames();

  /** The interval ({@link System#nanoTime} / seedErrorIntervalMs, wrapped) of the last error frame sent. */
  int lastErrorSecond() {
    return lastErrorSecond;
  }

  void lastErrorSecond(int second) {
    lastErrorSecond = second;
  }

  /** The connection under the socket: data frames go straight to it, and it is cut when a close frame cannot get through. */
  public final Channel channel() {
    return channel;
  }

  final ChannelOutboundInvoker dataOut() {
    return dataOut;
  }

  final void dataOut(ChannelOutboundInvoker value) {
    dataOut = value;
  }

  /** The status code of the client's close frame; -1 before one arrives or when it had none. */
  public final int closeCode() {
    return closeCode;
  }

  final void closeCode(int code) {
    closeCode = (short) code;
  }

  /** True once a close frame passed in either direction: no data frame may follow. */
  public final boolean closing() {
    return closing;
  }

  final void closing(boolean value) {
    closing = value;
  }

  /** True once the connection is gone and its close handling ran. */
  public final boolean closed() {
    return closed;
  }

  final void closed(boolean value) {
    closed = value;
  }

  final boolean awaitingPong() {
    return awaitingPong;
  }

  final void awaitingPong(boolean value) {
    awaitingPong = value;
  }

  final boolean flushPending() {
    return flushPending;
  }

  final void flushPending(boolean value) {
    flushPending = value;
  }

  /** Deliveries dropped since the socket's write queue last filled up. */
  public final int dropped() {
    return dropped;
  }

  /** Epoch ms when the write queue went over its cap; 0 while it is below (the socket keeps up). */
  public final long droppingSince() {
    return droppingSince;
  }

  final void blocked(long now) {
    droppingSince = now;
  }

  final void recordDrop() {
    dropped++;
  }

  final void resetDrops() {
    dropped = 0;
    droppingSince = 0;
  }

  final boolean slowCheckPending() {
    return slowCheckPending;
  }

  final void slowCheckPending(boolean value) {
    slowCheckPending = value;
  }

  /** Counts a frame of the message being received; returns the message's size so far. */
  final int addMessageBytes(int frameBytes, boolean firstFrame) {
    messageBytes = firstFrame ? frameBytes : messageBytes + frameBytes;
    return messageBytes;
  }

  final long tokens() {
    return tokens;
  }

  final long refilledAt() {
    return refilledAt;
  }

  final void refilled(long tokens, long at) {
    this.tokens = tokens;
    this.refilledAt = at;
  }

  /**
   * Counts a message refused for the rate and returns the refusals so far. A client that keeps
   * flooding is refused again and again with a few messages accepted in between (the bucket
   * refills), so accepted messages do not reset the count; only a spell of {@code quietNanos}
   * without refusals does.
   */
  final int rateViolation(long nowNanos, long quietNanos) {
    rateViolations = nowNanos - lastViolationAt > quietNanos ? 1 : rateViolations + 1;
    lastViolationAt = nowNanos;
    return rateViolations;
  }

  @Override
  public String toString() {
    return "channel=" + channel.id().asShortText();
  }
}
