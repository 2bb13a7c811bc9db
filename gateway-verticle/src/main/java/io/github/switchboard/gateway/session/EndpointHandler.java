package io.github.switchboard.gateway.session;

import io.github.switchboard.gateway.transport.FrameWriter;
import io.github.switchboard.protocol.ErrorCode;

/**
 * What one endpoint does with its sockets: which group an upgrade is for, which groups a new
 * socket joins, what it is sent on open, and what its messages mean. The plumbing common to
 * every endpoint (admission, limits, keep-alive, counting, leaving groups on close) is not
 * here: admission runs before the upgrade, the transport's inbound policy before a message
 * arrives here, and {@link SessionLifecycle} around open and close.
 */
public interface EndpointHandler {

  Endpoint endpoint();

  /**
   * The group a socket of this endpoint is tied to, from the upgrade's path, which a token must
   * allow before the upgrade; null when the client picks its groups later ({@code /ws}).
   *
   * @throws IllegalArgumentException with a message for the client when the path names no
   *     valid group (answered with 400 before any other check)
   */
  default String fixedGroup(String path) {
    return null;
  }

  /** Whether a socket publishes to its {@link #fixedGroup}: then a token must allow that too. */
  default boolean publishesToFixedGroup() {
    return false;
  }

  /** The socket is open and registered: join groups, send a greeting. */
  void open(Session session);

  void text(Session session, String text);

  /** Only the hub relays binary messages; everywhere else they get an error frame. */
  default void binary(Session session, byte[] data, FrameWriter writer) {
    writer.error(session, ErrorCode.UNSUPPORTED_FRAME, "this endpoint accepts text frames only", null);
  }

  /** The socket closed; called before it leaves its groups. */
  default void closed(Session session) {
  }
}
