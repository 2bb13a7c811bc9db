package io.github.switchboard.gateway.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundInvoker;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.SingleThreadEventExecutor;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Decides when a socket written by a fan-out is flushed. A flush is the socket write syscall,
 * and it is most of a delivery's cost; the messages written to a socket before its flush go
 * out in one syscall.
 *
 * <p>Without a delay (the default): while nothing waits on the event loop, a delivery is
 * flushed at once, so the first sockets of a fan-out do not wait for the last ones to be
 * written. When tasks are queued behind the current one (group messages arriving faster than
 * the event loop fans them out, or a flush already scheduled), writes are not flushed; each
 * socket is flushed once after the tasks already queued have run, and takes every message
 * written meanwhile in one syscall. No timer, no added delay.
 *
 * <p>With {@code flushDelayMs}, every delivery waits up to that long for its socket's flush and
 * shares it with the deliveries written meanwhile: less CPU per delivery at any rate, up to
 * the delay more latency.
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

  /** Writes a frame now, and flushes the socket now or when the queued tasks (or the delay) are done. */
  void writeLater(Connection session, Object frame) {
    Channel channel = session.channel();
    EventLoop loop = channel.eventLoop();
    if (!loop.inEventLoop()) {
      channel.writeAndFlush(frame, channel.voidPromise());
      return;
    }
    ChannelOutboundInvoker out = session.dataOut();
    if (delayNanos == 0 && !session.flushPending() && !backlog(loop)) {
      out.writeAndFlush(frame, channel.voidPromise());
      return;
    }
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

  /** Whether tasks wait on the event loop; an event loop that cannot tell counts as busy. */
  private static boolean backlog(EventLoop loop) {
    return !(loop instanceof SingleThreadEventExecutor executor) || executor.pendingTasks() > 0;
  }

  private final class Batch {

    private List<Connection> pending = new ArrayList<>();
    private List<Connection> spare = new ArrayList<>();
    private boolean scheduled;

    void add(Connection session) {
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
      List<Connection> sessions = pending;
      pending = spare;
      spare = sessions;
      for (int i = 0; i < sessions.size(); i++) {
        Connection session = sessions.get(i);
        session.flushPending(false);
        session.dataOut().flush();
      }
      sessions.clear();
    }
  }
}
