package io.github.switchboard.gateway.endpoint;

import io.github.switchboard.gateway.fanout.GroupRegistry;
import io.github.switchboard.gateway.session.Endpoint;
import io.github.switchboard.gateway.session.EndpointHandler;
import io.github.switchboard.gateway.session.Session;
import io.github.switchboard.gateway.transport.FrameWriter;
import io.github.switchboard.protocol.Addresses;
import io.github.switchboard.protocol.ClientFrameParser;
import io.github.switchboard.protocol.ErrorCode;
import io.github.switchboard.protocol.Groups;
import io.github.switchboard.protocol.ProtocolException;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /ws/random} (and the seed's own URL {@code /ws/some_url/}): receives {@code {"message":N}}
 * once a second, the first at once (the newest number, asked of the simulator when the socket
 * opens, as the seed app sent one on connect); sends nothing.
 */
public final class RandomEndpoint implements EndpointHandler {

  /** The seed app's own URL of the stream (its Django route {@code ws/some_url/}), served too. */
  public static final String SEED_PATH = "/ws/some_url";
  private static final Logger log = LoggerFactory.getLogger(RandomEndpoint.class);

  private final GroupRegistry groups;
  private final FrameWriter writer;
  private final EventBus eventBus;
  private final long timeoutMs;

  public RandomEndpoint(GroupRegistry groups, FrameWriter writer, EventBus eventBus, long timeoutMs) {
    this.groups = groups;
    this.writer = writer;
    this.eventBus = eventBus;
    this.timeoutMs = timeoutMs;
  }

  @Override
  public Endpoint endpoint() {
    return Endpoint.RANDOM;
  }

  @Override
  public String fixedGroup(String path) {
    return Groups.RANDOM;
  }

  /**
   * Joins the stream, then asks for the newest number. A number published while the answer is
   * on its way reaches the socket first and the answer is then an older one: harmless for a
   * random stream, and rarer than one socket in a thousand at one number a second.
   */
  @Override
  public void open(Session session) {
    groups.join(Groups.RANDOM, session)
      .compose(v -> eventBus.<String>request(Addresses.RANDOM_LATEST, null, new DeliveryOptions().setSendTimeout(timeoutMs)))
      .onSuccess(latest -> {
        if (!session.closing() && !session.closed()) {
          writer.reply(session, latest.body());
        }
      })
      // No simulator right now: the next published number comes when there is one.
      .onFailure(e -> log.debug("{} no newest random number: {}", session, e.getMessage()));
  }

  @Override
  public void text(Session session, String text) {
    try {
      ClientFrameParser.parseObject(text);
    } catch (ProtocolException e) {
      writer.error(session, e);
      return;
    }
    writer.error(session, ErrorCode.UNKNOWN_TYPE, "/ws/random accepts no messages", null);
  }
}
