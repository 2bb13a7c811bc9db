package io.github.switchboard.gateway.limit;

import io.github.switchboard.gateway.socket.Endpoint;
import io.github.switchboard.gateway.socket.Session;
import io.github.switchboard.gateway.socket.SocketCloser;
import io.github.switchboard.gateway.socket.WireFrame;
import io.github.switchboard.protocol.ErrorCode;
import io.github.switchboard.protocol.ServerFrames;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;

/**
 * What happens to a socket that does not read as fast as its groups publish.
 *
 * <p>Its write queue is capped ({@code writeQueueMaxBytes}); while the queue is full, deliveries
 * to it are dropped and counted instead of buffered, so a stalled reader costs at most its cap.
 * When the queue drains, a {@code /ws} client is told how many it missed with a
 * {@code slow_consumer} error frame (the seed endpoints have no frame for that). A socket that
 * keeps dropping for {@code slowConsumerCloseMs} is closed with 1013 (try again later).
 */
public final class SlowConsumerPolicy {

  public static final short CLOSE_CODE = 1013;
  private static final Logger log = LoggerFactory.getLogger(SlowConsumerPolicy.class);

  private final long closeAfterMs;
  private final SocketCloser closer;

  public SlowConsumerPolicy(SocketCloser closer, long closeAfterMs) {
    this.closer = closer;
    this.closeAfterMs = closeAfterMs;
  }

  /** Called instead of a write when the session's queue is full. */
  public void dropped(Session session, long now) {
    boolean first = session.droppingSince() == 0;
    session.recordDrop(now);
    if (first) {
      log.debug("{} write queue full, dropping deliveries", session);
      // Only sockets that fall behind pay for a watcher; it leaves the pipeline once drained.
      session.channel().pipeline().addFirst(new DrainWatcher(session));
    } else if (closeAfterMs > 0 && !session.closing() && now - session.droppingSince() >= closeAfterMs) {
      log.info("{} closed: dropped {} deliveries over {} ms", session, session.dropped(), now - session.droppingSince());
      closer.close(session, CLOSE_CODE, "slow consumer");
    }
  }

  private void drained(Session session) {
    int dropped = session.dropped();
    session.resetDrops();
    if (dropped > 0 && session.endpoint() == Endpoint.MULTIPLEX && !session.closing()) {
      byte[] text = ServerFrames.error(ErrorCode.SLOW_CONSUMER,
        dropped + " messages were dropped because this socket did not read fast enough", null).getBytes(StandardCharsets.UTF_8);
      Channel channel = session.channel();
      channel.writeAndFlush(WireFrame.text(channel.alloc(), text), channel.voidPromise());
    }
  }

  /**
   * Tells the policy when the socket's queue is below its low-water mark again. Data frames are
   * written to the channel directly, so the channel's writability is the queue's state.
   */
  private final class DrainWatcher extends ChannelInboundHandlerAdapter {

    private final Session session;

    DrainWatcher(Session session) {
      this.session = session;
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      ctx.fireChannelWritabilityChanged();
      if (ctx.channel().isWritable()) {
        ctx.pipeline().remove(this);
        drained(session);
      }
    }
  }
}
