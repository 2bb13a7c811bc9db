package io.github.switchboard.gateway.socket;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundInvoker;
import io.netty.util.concurrent.FastThreadLocal;

import java.util.ArrayList;
import java.util.List;

/**
 * Flushes the sockets written by a fan-out once, after every task already queued on the event
 * loop has run. A flush is the socket write syscall, and it is most of a delivery's cost; when
 * group messages arrive faster than the event loop fans them out, the messages queued behind the
 * current one are written to the same sockets before the flush, and each socket then takes them
 * in one syscall. When the event loop keeps up, the flush runs right after the fan-out: a
 * delivery waits at most for the writes of its own fan-out (no timer, no added delay).
 *
 * <p>One per event-loop thread; only touched from that thread.
 */
final class FlushCoalescer {

  private static final FastThreadLocal<FlushCoalescer> PER_THREAD = new FastThreadLocal<>() {
    @Override
    protected FlushCoalescer initialValue() {
      return new FlushCoalescer();
    }
  };

  private List<Session> pending = new ArrayList<>();
  private List<Session> spare = new ArrayList<>();
  private boolean scheduled;

  private FlushCoalescer() {
  }

  /** Writes a frame now and flushes the socket when the current run of tasks ends. */
  static void writeLater(Session session, Object frame) {
    Channel channel = session.channel();
    if (!channel.eventLoop().inEventLoop()) {
      channel.writeAndFlush(frame, channel.voidPromise());
      return;
    }
    ChannelOutboundInvoker out = session.dataOut();
    out.write(frame, channel.voidPromise());
    if (!channel.isWritable()) {
      // Unflushed bytes count against the socket's queue cap: a reader that keeps up must not
      // look slow because of a long burst, so hand the burst to the kernel now.
      out.flush();
    }
    if (!session.flushPending()) {
      session.flushPending(true);
      PER_THREAD.get().add(session);
    }
  }

  private void add(Session session) {
    pending.add(session);
    if (!scheduled) {
      scheduled = true;
      session.channel().eventLoop().execute(this::flushAll);
    }
  }

  private void flushAll() {
    scheduled = false;
    List<Session> sessions = pending;
    pending = spare;
    spare = sessions;
    for (int i = 0; i < sessions.size(); i++) {
      Session session = sessions.get(i);
      session.flushPending(false);
      session.dataOut().flush();
    }
    sessions.clear();
  }
}
