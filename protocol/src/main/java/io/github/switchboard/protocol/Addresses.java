package io.github.switchboard.protocol;

/**
 * Every event bus address other than the group addresses of {@link Groups}.
 *
 * <p>These are request/reply addresses owned by one service each; a gateway sends to them and
 * never consumes them, except {@link #STREAM_PUBLISH}, which the gateways serve.
 */
public final class Addresses {

  /** Chat intake: a gateway sends a client's chat message here; the chat service replies. */
  public static final String CHAT_INTAKE = "switchboard.chat.intake";
  /** Chat history: asks the chat service for stored messages of one room. */
  public static final String CHAT_HISTORY = "switchboard.chat.history";
  /**
   * Chat positions: {@code {rooms:[...]}} asks the chat service where each room stands; the
   * reply maps each room with a history to {@code {top, epoch}} (gateways' position check).
   */
  public static final String CHAT_POSITIONS = "switchboard.chat.positions";
  /**
   * Stream publish: a service sends {@code {group, data}} to publish to a stream group; a
   * gateway numbers, stores and publishes it and replies {@code {group, offset, epoch}}. The
   * gateways consume this address (the one exception to the rule above).
   */
  public static final String STREAM_PUBLISH = "switchboard.streams.publish";
  /** Score snapshot: asks the simulator for the current five events. */
  public static final String SCORES_SNAPSHOT = "switchboard.scores.snapshot";
  /**
   * The random stream's newest number, {@code {"message":N}} as JSON text, asked by a gateway for
   * a socket that just opened (the seed app sent its first number at once).
   */
  public static final String RANDOM_LATEST = "switchboard.random.latest";

  private Addresses() {
  }
}
