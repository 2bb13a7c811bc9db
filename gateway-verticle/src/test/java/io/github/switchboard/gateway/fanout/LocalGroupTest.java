package io.github.switchboard.gateway.fanout;

import io.github.switchboard.gateway.metrics.GatewayStats;
import io.github.switchboard.gateway.session.Endpoint;
import io.github.switchboard.gateway.session.Session;
import io.github.switchboard.gateway.transport.FrameWriter;
import io.github.switchboard.gateway.transport.SocketCloser;
import io.github.switchboard.protocol.Delivery;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/** One group's members on this gateway, fed one delivery at a time (no event bus). */
class LocalGroupTest {

  private final GatewayStats stats = new GatewayStats(new SimpleMeterRegistry());
  // Nothing here closes a socket, so the closer needs no Vert.x.
  private final FrameWriter writer = new FrameWriter(stats, new SocketCloser(null, stats, SocketCloser.DEFAULT_GRACE_MS), 0, 0);

  /**
   * Every test channel. Each embedded channel has its own event loop, where a gateway's sockets
   * share one: the flush a fan-out schedules runs on the loop of the first socket written, so
   * every channel's pending tasks are run before any is read.
   */
  private final List<EmbeddedChannel> channels = new ArrayList<>();

  private Session session(String id, Endpoint endpoint) {
    EmbeddedChannel channel = new EmbeddedChannel();
    channels.add(channel);
    return new Session(id, channel, endpoint, endpoint.path(), null);
  }

  /** The flushes a fan-out scheduled, wherever they were scheduled. */
  @AfterEach
  void runScheduledFlushes() {
    channels.forEach(EmbeddedChannel::runPendingTasks);
    channels.forEach(EmbeddedChannel::finishAndReleaseAll);
  }

  @Test
  void aBinaryDeliveryIsABinaryFrameOnTheHubAndBase64InTheEnvelope() {
    LocalGroup group = new LocalGroup("hub");
    Session hub = session("h", Endpoint.HUB);
    Session ws = session("w", Endpoint.MULTIPLEX);
    group.add(hub);
    group.add(ws);
    byte[] bytes = {0, 1, 2, (byte) 0xFF};
    group.deliver(new Delivery(Delivery.Kind.BINARY, Delivery.NO_SEQ, "x", true, 0, bytes), writer);

    ByteBuf raw = frame(hub);
    assertThat(raw.getByte(0) & 0xFF).as("FIN + binary opcode").isEqualTo(0x82);
    assertThat(payload(raw)).containsExactly(bytes);
    ByteBuf envelope = frame(ws);
    assertThat(envelope.getByte(0) & 0xFF).as("FIN + text opcode").isEqualTo(0x81);
    JsonObject message = new JsonObject(new String(payload(envelope)));
    assertThat(message.getString("type")).isEqualTo("message");
    assertThat(Base64.getDecoder().decode(message.getString("data"))).containsExactly(bytes);
    assertThat(stats.toJson().getLong("messagesOut")).isEqualTo(2);
  }

  @Test
  void membersObserversAndEmptiness() {
    LocalGroup group = new LocalGroup("g");
    assertThat(group.isEmpty()).isTrue();
    Session a = session("a", Endpoint.MULTIPLEX);
    group.add(a);
    List<Delivery> seen = new ArrayList<>();
    Consumer<Delivery> observer = seen::add;
    group.observe(observer);
    assertThat(group.remove(a)).isTrue();
    assertThat(group.remove(a)).isFalse();
    assertThat(group.isEmpty()).as("an observer keeps the group").isFalse();
    group.deliver(Delivery.json("{}"), writer);
    assertThat(seen).hasSize(1);
    assertThat(group.unobserve(observer)).isTrue();
    assertThat(group.isEmpty()).isTrue();
  }

  @Test
  void aMemberThatLeftIsNoLongerWrittenTo() {
    LocalGroup group = new LocalGroup("g");
    Session a = session("a", Endpoint.MULTIPLEX);
    Session b = session("b", Endpoint.MULTIPLEX);
    group.add(a);
    group.add(b);
    group.deliver(Delivery.json("{\"n\":1}"), writer);
    group.remove(a);
    group.deliver(Delivery.json("{\"n\":2}"), writer);
    assertThat(frames(a)).isEqualTo(1);
    assertThat(frames(b)).isEqualTo(2);
  }

  private ByteBuf frame(Session session) {
    channels.forEach(EmbeddedChannel::runPendingTasks);
    EmbeddedChannel channel = (EmbeddedChannel) session.channel();
    Object out = channel.readOutbound();
    assertThat(out).isInstanceOf(ByteBuf.class);
    return (ByteBuf) out;
  }

  private int frames(Session session) {
    channels.forEach(EmbeddedChannel::runPendingTasks);
    EmbeddedChannel channel = (EmbeddedChannel) session.channel();
    int n = 0;
    for (Object out; (out = channel.readOutbound()) != null; n++) {
      ((ByteBuf) out).release();
    }
    return n;
  }

  /** The payload of one short unmasked frame; releases it. */
  private static byte[] payload(ByteBuf frame) {
    try {
      int length = frame.getByte(1) & 0x7F;
      byte[] bytes = new byte[length];
      frame.getBytes(2, bytes);
      return bytes;
    } finally {
      frame.release();
    }
  }
}
