package io.github.switchboard.gateway.transport;

import io.github.switchboard.protocol.ErrorCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * What happens to a socket that does not read as fast as the gateway writes to it.
 *
 * <p>Its write queue is capped ({@code writeQueueMaxBytes}, the channel's high-water mark).
 * While the queue is over the cap:
 * <ul>
 *   <li>every write to it (deliveries, replies, pongs, keep-alive pings) is dropped and counted
 *   instead of buffered, so a stalled reader costs at most its cap;</li>
 *   <li>the socket is not read (backpressure): a client that sends without reading, pings
 *   included, fills its own kernel buffers, not the gateway's heap;</li>
 *   <li>if it is still over the cap {@code slowConsumerCloseMs} after it went over, it is closed
 *   with {@link CloseReason#SLOW_CONSUMER}.</li>
 * </ul>
 * When the queue drains below its low-water mark, reading resumes, and a client whose protocol
 * can hear of drops ({@link Connection#reportsDrops()}: {@code /ws}) is told how many it missed
 * with a {@code slow_consumer} error frame.
 *
 * <p>One check timer at most per socket, and only for sockets that fall behind.
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

  /** The channel's writability changed: its queue went over the cap, or below the low-water mark. */
  void writabilityChanged(Connection connection, long now) {
    if (connection.channel().isWritable()) {
      drained(connection);
    } else {
      blocked(connection, now);
    }
  }

  /** Called instead of a write while the connection's queue is over its cap. */
  void dropped(Connection connection, long now) {
    if (connection.droppingSince() == 0) {
      // Over the cap before the writability event reached us (a write from this very turn).
      blocked(connection, now);
    }
    connection.recordDrop();
  }

  /** The queue went over its cap: stop reading, start the clock. */
  void blocked(Connection connection, long now) {
    if (connection.droppingSince() != 0) {
      return;
    }
    connection.blocked(now);
    connection.channel().config().setAutoRead(false);
    log.debug("{} write queue full: dropping writes, not reading", connection);
    if (closeAfterMs > 0 && !connection.slowCheckPending()) {
      scheduleCheck(connection, closeAfterMs);
    }
  }

  /** The queue is below its low-water mark again: read again, tell of drops, the count starts over. */
  void drained(Connection connection) {
    int dropped = connection.dropped();
    boolean wasBlocked = connection.droppingSince() != 0;
    connection.resetDrops();
    if (wasBlocked) {
      connection.channel().config().setAutoRead(true);
    }
    if (dropped > 0 && connection.reportsDrops() && !connection.closing()) {
      // Not counted as an error: messages_dropped_total already counts every drop.
      writer.uncountedError(connection, ErrorCode.SLOW_CONSUMER,
        dropped + " messages were dropped because this socket did not read fast enough");
    }
  }

  /**
   * Closes the socket if it is still over its cap {@code closeAfterMs} after it went over. A
   * socket that drained and filled up again meanwhile gets the rest of its own time.
   */
  private void scheduleCheck(Connection connection, long delayMs) {
    connection.slowCheckPending(true);
    connection.channel().eventLoop().schedule(() -> check(connection), delayMs, TimeUnit.MILLISECONDS);
  }

  private void check(Connection connection) {
    connection.slowCheckPending(false);
    long since = connection.droppingSince();
    if (since == 0 || connection.closing() || !connection.channel().isActive()) {
      return;
    }
    long blockedMs = System.currentTimeMillis() - since;
    if (blockedMs < closeAfterMs) {
      scheduleCheck(connection, closeAfterMs - blockedMs);
      return;
    }
    log.info("{} closed: write queue full for {} ms, {} writes dropped", connection, blockedMs, connection.dropped());
    closer.close(connection, CloseReason.SLOW_CONSUMER);
  }
}
