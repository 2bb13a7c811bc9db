package io.github.switchboard.gateway.socket;

import io.github.switchboard.protocol.ErrorCode;
import io.vertx.core.buffer.Buffer;

/**
 * What one endpoint does with its sockets: which groups a new socket joins, what it is sent on
 * open, and what its frames mean. The plumbing common to every endpoint (keep-alive, limits,
 * counting, leaving groups on close) is {@link SocketAcceptor}'s.
 */
public interface SocketAdapter {

  Endpoint endpoint();

  /** The socket is open and registered: join groups, send a greeting. */
  void open(Session session);

  void text(Session session, String text);

  /** The socket closed; called before it leaves its groups. */
  default void closed(Session session) {
  }

  default void binary(Session session, Buffer data, FrameWriter writer) {
    writer.error(session, ErrorCode.UNSUPPORTED_FRAME, "this endpoint accepts text frames only", null);
  }
}
