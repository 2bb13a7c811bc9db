package io.github.switchboard.gateway.session;

import io.github.switchboard.gateway.transport.ConnectionHandler;
import io.github.switchboard.gateway.transport.StreamHandler;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * This gateway's open HTTP streams (Server-Sent Events, JSON lines) by their emulation key: the
 * secret a client puts in each {@code POST /emulation} to send frames up its stream, to
 * whichever gateway a balancer picks. A key is {@code <connection id>.<secret>}: the connection
 * id names the gateway that holds the stream (its id prefix, see {@link Sessions#newId}), and
 * the random secret (128 bits) keeps anyone who only saw a connection id (a chat message's
 * sender) from speaking for that connection. Event loop only.
 */
public final class StreamSessions {

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Map<String, StreamHandler<Session>> byKey = new HashMap<>();
  private final Map<Session, String> keys = new HashMap<>();

  /** The gateway that holds the stream of {@code key}: the prefix of its connection id; null when malformed. */
  public static String gatewayOf(String key) {
    int dash = key.indexOf('-');
    int dot = key.indexOf('.');
    return dash > 0 && dot > dash ? key.substring(0, dash) : null;
  }

  /** Registers an open stream and returns its key. */
  public String add(StreamHandler<Session> stream) {
    byte[] secret = new byte[16];
    RANDOM.nextBytes(secret);
    String key = stream.connection().id() + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    byKey.put(key, stream);
    keys.put(stream.connection(), key);
    return key;
  }

  /** The open stream of this key on this gateway, or null. */
  public StreamHandler<Session> get(String key) {
    return byKey.get(key);
  }

  public int size() {
    return byKey.size();
  }

  /**
   * The lifecycle's events for a stream's session, and its removal from here when it closes
   * (after the lifecycle's own close handling).
   */
  public ConnectionHandler<Session> around(ConnectionHandler<Session> lifecycle) {
    return new ConnectionHandler<>() {
      @Override
      public void opened(Session session) {
        lifecycle.opened(session);
      }

      @Override
      public void received(Session session) {
        lifecycle.received(session);
      }

      @Override
      public void text(Session session, String text) {
        lifecycle.text(session, text);
      }

      @Override
      public void binary(Session session, byte[] data) {
        lifecycle.binary(session, data);
      }

      @Override
      public void closed(Session session) {
        lifecycle.closed(session);
        String key = keys.remove(session);
        if (key != null) {
          byKey.remove(key);
        }
      }
    };
  }

  /** Delivers frames to the stream of {@code key} here; false when there is none. */
  public boolean deliver(String key, List<String> frames) {
    StreamHandler<Session> stream = byKey.get(key);
    if (stream == null) {
      return false;
    }
    frames.forEach(stream::message);
    return true;
  }
}
