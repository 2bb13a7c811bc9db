package io.github.switchboard.gateway.session;

/**
 * The WebSocket endpoints of a gateway, and how deliveries are written on each.
 *
 * <p>Four of them are <em>seed endpoints</em>: they speak the protocols of the four small apps
 * Switchboard replaced (a Django Channels chat, a live-score feed, a random-number stream and an
 * Express {@code ws} broadcast hub; see {@code shared/seeds/} and docs/protocol.md section 1),
 * so the clients written for those apps work unchanged. Each is tied to one group and writes
 * a group's payload as it was published. {@code /ws} is Switchboard's own multiplexed
 * protocol: the client picks its groups, and every delivery comes in an envelope.
 */
public enum Endpoint {
  HUB("/ws/hub", false),
  MULTIPLEX("/ws", true),
  SCORES("/ws/scores", false),
  CHAT("/ws/chat/:room", false),
  RANDOM("/ws/random", false);

  private final String path;
  private final boolean envelope;

  Endpoint(String path, boolean envelope) {
    this.path = path;
    this.envelope = envelope;
  }

  /** Route path, with {@code :room} where the chat room goes; also the {@code endpoint} tag of metrics. */
  public String path() {
    return path;
  }

  /**
   * True when a delivery is wrapped in {@code {"type":"message","group":..,"data":..}}; false
   * when the group payload is written as it was published (the seed endpoints).
   */
  public boolean envelope() {
    return envelope;
  }
}
