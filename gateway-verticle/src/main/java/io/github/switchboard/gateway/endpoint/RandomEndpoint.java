package io.github.switchboard.gateway.endpoint;

import io.github.switchboard.gateway.session.Session;
import io.github.switchboard.gateway.session.Endpoint;
import io.github.switchboard.gateway.session.EndpointHandler;
import io.github.switchboard.gateway.transport.FrameWriter;
import io.github.switchboard.gateway.fanout.GroupRegistry;
import io.github.switchboard.protocol.ErrorCode;
import io.github.switchboard.protocol.Groups;

/** {@code /ws/random}: receives {@code {"message":N}} once a second; sends nothing. */
public final class RandomEndpoint implements EndpointHandler {

  private final GroupRegistry groups;
  private final FrameWriter writer;

  public RandomEndpoint(GroupRegistry groups, FrameWriter writer) {
    this.groups = groups;
    this.writer = writer;
  }

  @Override
  public Endpoint endpoint() {
    return Endpoint.RANDOM;
  }

  @Override
  public String fixedGroup(String path) {
    return Groups.RANDOM;
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
