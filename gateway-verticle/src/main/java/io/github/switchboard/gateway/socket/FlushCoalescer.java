package io.github.switchboard.gateway.socket;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundInvoker;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.FastThreadLocal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Flushes the sockets written by a fan-out once, after every task already queued on the event
 * loop has run, or after {@code flushDelayMs}. A flush is the socket write syscall, and it is
 * most of a delivery's cost; the messages written to a socket before its flush go out in one
 * syscall.
 *
 * <p>Without a delay (the default), that happens when group messages arrive faster than the
 * event loop fans them out: the messages queued behind the current one are written before the
 * flush. When the event loop keeps up, the flush runs right after the fan-out, and a delivery
 * waits at most for the writes of its own fan-out (no timer, no added latency). With a delay,
 * every delivery within the window shares its socket's next write: less CPU per delivery at
 * any rate, up to the delay more latency.
 *
 * <p>One batch per event-loop thread, only touched from that thread.
 */
final class FlushCoalescer {

  private final long delayNanos;
  private final FastThreadLocal<Batch> batches = new FastThreadLocal<>() {
    @Override
    protected Batch initialValue() {
      return new Batch();
    }
  };

  FlushCoalescer(long delayMs) {
    this.delayNanos = TimeUnit.MILLISECONDS.toNanos(delayMs);
  }

  /** Writes a frame now and flushes the socket when the current run of tasks (or the delay) ends. */
  void writeLater(Session session, Object frame) {
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
      batches.get().add(session);
    }
  }

  private final class Batch {

    private List<Session> pending = new ArrayList<>();
    private List<Session> spare = new ArrayList<>();
    private boolean scheduled;

    void add(Session session) {
      pending.add(session);
      if (!scheduled) {
        scheduled = true;
        EventLoop loop = session.channel().eventLoop();
        if (delayNanos == 0) {
          loop.execute(this::flushAll);
        } else {
          loop.schedule(this::flushAll, delayNanos, TimeUnit.NANOSECONDS);
        }
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
}
