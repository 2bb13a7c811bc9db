package io.github.switchboard.protocol;

/**
 * A request a client sends on the multiplexed endpoint {@code /ws}, after parsing and
 * validation. {@code id} is the client's request id (a Number or a String), or null.
 */
public sealed interface ClientFrame {

  Object id();

  /**
   * {@code since} is null when the client wants live messages only. {@code sinceEpoch} is the
   * epoch {@code since} counts in, null when the client sent a bare number (not checked).
   */
  record Subscribe(Object id, String group, Long since, String sinceEpoch) implements ClientFrame {
  }

  record Unsubscribe(Object id, String group) implements ClientFrame {
  }

  /** {@code data} is the publish payload already encoded as JSON text. */
  record Publish(Object id, String group, String data) implements ClientFrame {
  }

  record Ping(Object id) implements ClientFrame {
  }

  /**
   * Who is in a group (for groups that keep presence), one page at a time: the members whose
   * connection id sorts after {@code after} (null: from the first).
   */
  record Presence(Object id, String group, String after) implements ClientFrame {
  }

  /**
   * A call answered by the application's backend (the gateway's RPC hook): {@code method} names
   * it, {@code data} is its argument already encoded as JSON text ({@code null} when absent).
   * {@code id} is never null: the answer carries it.
   */
  record Rpc(Object id, String method, String data) implements ClientFrame {
  }
}
