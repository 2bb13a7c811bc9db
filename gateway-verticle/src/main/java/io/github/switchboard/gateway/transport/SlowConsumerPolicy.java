package io.github.switchboard.gateway.transport;

import io.github.switchboard.protocol.ErrorCode;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens to a socket that does not read as fast as its groups publish.
 *
 * <p>Its write queue is capped ({@code writeQueueMaxBytes}, the channel's high-water mark);
 * while the queue is full, writes to it are dropped and counted instead of buffered, so a
 * stalled reader costs at most its cap. When the queue drains, a client whose protocol can
 * hear of it ({@link Connection#reportsDrops()}: {@code /ws}) is told how many it missed with a
 * {@code slow_consumer} error frame. A socket that keeps dropping for
 * {@code slowConsumerCloseMs} is closed with {@link CloseReason#SLOW_CONSUMER}.
 */
final class SlowConsumerPolicy {

  private static final Logger log = LoggerFactory.getLogger(SlowConsumerPolicy.class);

  private final long closeAfterMs;
  private final SocketCloser closer;
  private final FrameWriter writer;

  /** {@code closeAfterMs}: 0 never closes. The writer is the one whose drops this policy sees. */
  SlowConsumerPolicy(SocketCloser closer, long closeAfterMs, FrameWriter writer) {
    this.closer = closer;
    this.closeAfterMs = closeAfterMs;
    this.writer = writer;
  }

  /** Called instead of a write when the connection's queue is full. */
  void dropped(Connection connection, long now) {
    boolean first = connection.droppingSince() == 0;
    connection.recordDrop(now);
    if (first) {
      log.debug("{} write queue full, dropping deliveries", connection);
      // Only sockets that fall behind pay for a watcher; it leaves the pipeline once drained.
      connection.channel().pipeline().addFirst(new DrainWatcher(connection));
    } else if (closeAfterMs > 0 && !connection.closing() && now - connection.droppingSince() >= closeAfterMs) {
      log.info("{} closed: dropped {} deliveries over {} ms", connection, connection.dropped(),
        now - connection.droppingSince());
      closer.close(connection, CloseReason.SLOW_CONSUMER);
    }
  }

  /** The queue is below its low-water mark again: the count starts over. */
  void drained(Connection connection) {
    int dropped = connection.dropped();
    connection.resetDrops();
    if (dropped > 0 && connection.reportsDrops() && !connection.closing()) {
      // Not counted as an error: messages_dropped_total already counts every drop.
      writer.uncountedError(connection, ErrorCode.SLOW_CONSUMER,
        dropped + " messages were dropped because this socket did not read fast enough");
    }
  }

  /**
   * Tells the policy when the socket's queue is below its low-water mark again. Data frames are
   * written to the channel directly, so the channel's writability is the queue's state.
   */
  private final class DrainWatcher extends ChannelInboundHandlerAdapter {

    private final Connection connection;

    DrainWatcher(Connection connection) {
      this.connection = connection;
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      ctx.fireChannelWritabilityChanged();
      if (ctx.channel().isWritable()) {
        ctx.pipeline().remove(this);
        drained(connection);
      }
    }
  }
}
