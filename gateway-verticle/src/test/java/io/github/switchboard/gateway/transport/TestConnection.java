package io.github.switchboard.gateway.transport;

import io.netty.channel.Channel;

/** A connection for transport tests: no layer above, a name for the logs. */
final class TestConnection extends Connection {

  private final String name;
  private final boolean reportsDrops;
  private long expiresAt = Long.MAX_VALUE;

  TestConnection(String name, Channel channel, boolean reportsDrops) {
    super(channel);
    this.name = name;
    this.reportsDrops = reportsDrops;
  }

  TestConnection(String name, Channel channel) {
    this(name, channel, true);
  }

  void expiresAt(long value) {
    expiresAt = value;
  }

  @Override
  public long expiresAt() {
    return expiresAt;
  }

  @Override
  public boolean reportsDrops() {
    return reportsDrops;
  }

  /** Every error frame is sent, as on {@code /ws}. */
  @Override
  public boolean limitsErrorFrames() {
    return false;
  }

  @Override
  public String toString() {
    return "conn=" + name;
  }
}
