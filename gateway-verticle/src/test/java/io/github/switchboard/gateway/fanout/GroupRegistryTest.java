package io.github.switchboard.gateway.fanout;

import io.github.switchboard.gateway.GatewayHarness;
import io.github.switchboard.coordination.history.LocalStreamHistory;
import io.github.switchboard.gateway.metrics.GatewayStats;
import io.github.switchboard.gateway.service.ChatClient;
import io.github.switchboard.gateway.stream.ChatRoomStreams;
import io.github.switchboard.gateway.stream.StoredStreams;
import io.github.switchboard.gateway.stream.StreamGroups;
import io.github.switchboard.gateway.stream.Streams;
import io.github.switchboard.gateway.session.Endpoint;
import io.github.switchboard.gateway.session.Session;
import io.github.switchboard.gateway.transport.FrameWriter;
import io.github.switchboard.gateway.transport.WrittenFrames;
import io.github.switchboard.gateway.transport.SocketCloser;
import io.github.switchboard.protocol.Delivery;
import io.github.switchboard.protocol.Groups;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.embedded.EmbeddedChannel;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The group registry on a real (local) event bus with sockets in embedded channels: one
 * consumer per group while it has members, each delivery written once to each member in its
 * endpoint's shape, the sender skipped when it asked so, held back while a member recovers, and
 * membership listeners told of every first join and last leave. Everything runs on one Vert.x
 * context, as in a gateway.
 */
class GroupRegistryTest {

  private Vertx vertx;
  private Context context;
  private GroupRegistry groups;
  private final List<String> events = new ArrayList<>();
  /**
   * Every test channel. Each embedded channel has its own event loop, where a gateway's sockets
   * share one: the flush a fan-out schedules runs on the loop of the first socket written, so
   * every channel's pending tasks are run before any is read.
   */
  private final List<EmbeddedChannel> channels = new ArrayList<>();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
    GatewayStats stats = new GatewayStats(new SimpleMeterRegistry());
    FrameWriter writer = new FrameWriter(stats, new SocketCloser(vertx, stats, SocketCloser.DEFAULT_GRACE_MS), 0, 0);
    Streams streams = new Streams(new StreamGroups(List.of()), new StoredStreams(new LocalStreamHistory(vertx, 10)),
      new ChatRoomStreams(new ChatClient(vertx.eventBus(), 1_000, new io.micrometer.core.instrument.simple.SimpleMeterRegistry())), vertx.eventBus());
    groups = on(() -> new GroupRegistry(vertx, writer, stats, streams, 0));
    groups.listener(new GroupRegistry.MembershipListener() {
      @Override
      public void joined(String group, Session session) {
        events.add("join " + group + " " + session.id());
      }

      @Override
      public void left(String group, Session session) {
        events.add("leave " + group + " " + session.id());
      }
    });
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  private Session session(String id, Endpoint endpoint) {
    EmbeddedChannel channel = new EmbeddedChannel();
    channels.add(channel);
    return new Session(id, channel, endpoint, endpoint.path(), null);
  }

  @Test
  void oneConsumerPerGroupWhileItHasMembers() {
    Session a = session("a", Endpoint.MULTIPLEX);
    Session b = session("b", Endpoint.MULTIPLEX);
    await(on(() -> groups.join("news", a)));
    await(on(() -> groups.join("news", b)));
    await(on(() -> groups.join("sport", a)));
    assertThat(on(groups::consumerCount)).isEqualTo(2);
    assertThat(on(() -> groups.memberCount("news"))).isEqualTo(2);
    assertThat(a.groups()).containsExactly("news", "sport");

    assertThat(on(() -> groups.leave("news", a))).isTrue();
    assertThat(on(() -> groups.leave("news", a))).as("a second leave changes nothing").isFalse();
    assertThat(on(groups::consumerCount)).isEqualTo(2);
    on(() -> {
      groups.leaveAll(a);
      groups.leaveAll(b);
      return null;
    });
    assertThat(on(groups::consumerCount)).isZero();
    assertThat(on(groups::groupNames)).isEmpty();
    assertThat(events).containsExactly("join news a", "join news b", "join sport a", "leave news a", "leave sport a",
      "leave news b");
  }

  @Test
  void aDeliveryReachesEveryMemberInItsEndpointsShapeButNotASenderThatAskedSo() {
    Session ws = session("ws", Endpoint.MULTIPLEX);
    Session hub = session("hub", Endpoint.HUB);
    Session sender = session("sender", Endpoint.HUB);
    for (Session s : List.of(ws, hub, sender)) {
      await(on(() -> groups.join(Groups.HUB, s)));
    }
    Delivery delivery = new Delivery(Delivery.Kind.JSON, Delivery.NO_SEQ, "sender", false, System.currentTimeMillis(),
      "{\"x\":1}".getBytes(StandardCharsets.UTF_8));
    vertx.eventBus().publish(Groups.address(Groups.HUB), delivery.encode());

    assertThat(new JsonObject(awaitFrame(ws))).isEqualTo(new JsonObject()
      .put("type", "message").put("group", Groups.HUB).put("data", new JsonObject().put("x", 1)));
    assertThat(awaitFrame(hub)).as("the seed endpoint gets the payload as published").isEqualTo("{\"x\":1}");
    assertThat(on(() -> framesOf(sender))).as("echo off: not back to its sender").isEmpty();
  }

  @Test
  void deliveriesToARecoveringMemberAreHeldNotWritten() {
    Session s = session("r", Endpoint.MULTIPLEX);
    await(on(() -> groups.join("feed.a", s)));
    // Observers see a delivery before the members do: once it has, the member has been served.
    List<Long> seen = new ArrayList<>();
    await(on(() -> groups.observe("feed.a", d -> seen.add(d.seq()))));
    on(() -> {
      s.beginRecovery("feed.a");
      return null;
    });
    Delivery delivery = new Delivery(Delivery.Kind.JSON, 3, "x", true, System.currentTimeMillis(), "{}".getBytes());
    vertx.eventBus().publish(Groups.address("feed.a"), delivery.encode());
    GatewayHarness.await("the delivery handled", () -> on(seen::size) == 1);
    assertThat(on(() -> framesOf(s))).isEmpty();
    assertThat(on(() -> s.endRecovery("feed.a").deliveries())).extracting(Delivery::seq).containsExactly(3L);
  }

  @Test
  void anObserverSeesDeliveriesAndHoldsTheConsumerLikeAMember() {
    List<Long> seen = new ArrayList<>();
    java.util.function.Consumer<Delivery> observer = d -> seen.add(d.seq());
    await(on(() -> groups.observe("scores", observer)));
    assertThat(on(groups::consumerCount)).isEqualTo(1);
    vertx.eventBus().publish(Groups.address("scores"),
      new Delivery(Delivery.Kind.JSON, 9, "sim", true, System.currentTimeMillis(), "{}".getBytes()).encode());
    GatewayHarness.await("the observer saw the delivery", () -> on(() -> seen.size()) == 1);
    on(() -> {
      groups.unobserve("scores", observer);
      return null;
    });
    assertThat(on(groups::consumerCount)).isZero();
  }

  /** Frames written to a session's channel so far, as text, in order. Call on the context. */
  private List<String> framesOf(Session session) {
    channels.forEach(EmbeddedChannel::runPendingTasks);
    EmbeddedChannel channel = (EmbeddedChannel) session.channel();
    List<String> texts = new ArrayList<>();
    for (Object out; (out = channel.readOutbound()) != null; ) {
      texts.add(WrittenFrames.text(out));
    }
    return texts;
  }

  private String awaitFrame(Session session) {
    List<String> frames = new ArrayList<>();
    GatewayHarness.await("a frame for " + session.id(), () -> {
      frames.addAll(on(() -> framesOf(session)));
      return !frames.isEmpty();
    });
    assertThat(frames).hasSize(1);
    return frames.get(0);
  }

  /** Runs on the registry's context, as the gateway does, and waits for the result. */
  private <T> T on(Callable<T> action) {
    Promise<T> promise = Promise.promise();
    context.runOnContext(v -> {
      try {
        promise.complete(action.call());
      } catch (Exception e) {
        promise.fail(e);
      }
    });
    return await(promise.future());
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
