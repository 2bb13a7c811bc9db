package io.github.switchboard.gateway.transport;

/**
 * What the transport tells the layer above about one connection. The transport defines it and
 * calls it; the session layer implements it. So the arrow of imports points down (session ->
 * transport) while events travel up, as with Netty's channel handlers.
 *
 * <p>Every call runs on the connection's event loop, inside its Vert.x context.
 *
 * @param <C> the connection type the layer above created
 */
public interface ConnectionHandler<C extends Connection> {

  /** The handshake is done and the socket open: register it, greet it. */
  void opened(C connection);

  /** A whole message arrived, before the inbound policy decides whether it is handled. */
  void received(C connection);

  /** A text message that passed the inbound policy. */
  void text(C connection, String text);

  /** A binary message that passed the inbound policy. */
  void binary(C connection, byte[] data);

  /** The connection is gone (by either side); called once, after {@link #opened}. */
  void closed(C connection);
}
