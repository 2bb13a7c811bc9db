package io.github.switchboard.gateway.limit;

import io.github.switchboard.gateway.socket.Endpoint;
import io.github.switchboard.gateway.socket.Session;
import io.github.switchboard.gateway.socket.SocketCloser;
import io.github.switchboard.protocol.ErrorCode;
import io.github.switchboard.protocol.ServerFrames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
      session.socket().drainHandler(v -> drained(session));
    } else if (closeAfterMs > 0 && !session.closing() && now - session.droppingSince() >= closeAfterMs) {
      log.info("{} closed: dropped {} deliveries over {} ms", session, session.dropped(), now - session.droppingSince());
      closer.close(session, CLOSE_CODE, "slow consumer");
    }
  }

  private void drained(Session session) {
    session.socket().drainHandler(null);
    int dropped = session.dropped();
    session.resetDrops();
    if (dropped > 0 && session.endpoint() == Endpoint.MULTIPLEX && !session.closing()) {
      session.socket().writeTextMessage(ServerFrames.error(ErrorCode.SLOW_CONSUMER,
        dropped + " messages were dropped because this socket did not read fast enough", null));
    }
  }
}
