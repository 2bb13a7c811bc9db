package io.github.switchboard.gateway.socket;

import io.github.switchboard.gateway.fanout.GroupRegistry;
import io.github.switchboard.protocol.ErrorCode;
import io.github.switchboard.protocol.Groups;

/** {@code /ws/random}: receives {@code {"message":N}} once a second; sends nothing. */
public final class RandomSocket implements SocketAdapter {

  private final GroupRegistry groups;
  private final FrameWriter writer;

  public RandomSocket(GroupRegistry groups, FrameWriter writer) {
    this.groups = groups;
    this.writer = writer;
  }

  @Override
  public Endpoint endpoint() {
    return Endpoint.RANDOM;
  }

  @Override
  public void open(Session session) {
    groups.join(Groups.RANDOM, session);
  }

  @Override
  public void text(Session session, String text) {
    writer.error(session, ErrorCode.UNKNOWN_TYPE, "/ws/random accepts no messages", null);
  }
}
