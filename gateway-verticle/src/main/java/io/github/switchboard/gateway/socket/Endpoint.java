package io.github.switchboard.gateway.socket;

/** The WebSocket endpoints of a gateway, and how deliveries are written on each. */
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

  /** Route path, with {@code :room} where the chat room goes. */
  public String path() {
    return path;
  }

  /**
   * True when a delivery is wrapped in {@code {"type":"message","group":..,"data":..}}; false
   * when the group payload is written as it was published (the seed-compatible endpoints).
   */
  public boolean envelope() {
    return envelope;
  }
}
