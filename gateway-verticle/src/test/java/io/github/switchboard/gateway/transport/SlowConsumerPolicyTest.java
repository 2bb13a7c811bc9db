package io.github.switchboard.gateway.transport;

import io.github.switchboard.gateway.metrics.GatewayStats;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A socket over its queue cap is not read, its drops are counted, a client that can hear of
 * them is told once the queue drains, and a socket still over its cap after the configured time
 * is closed with 1013. The embedded channel's clock runs the check, so no test waits.
 */
class SlowConsumerPolicyTest {

  private Vertx vertx;
  private GatewayStats stats;
  private SocketCloser closer;
  private FrameWriter writer;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    stats = new GatewayStats(new SimpleMeterRegistry());
    closer = new SocketCloser(vertx, stats, SocketCloser.DEFAULT_GRACE_MS);
    writer = new FrameWriter(stats, closer, 0, 0);
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  @Test
  void aClientThatHearsOfDropsIsToldHowManyOnceTheQueueDrainsAndIsReadAgain() {
    EmbeddedChannel channel = new EmbeddedChannel();
    TestConnection connection = new TestConnection("c1", channel, true);
    SlowConsumerPolicy policy = new SlowConsumerPolicy(closer, 30_000, writer);

    policy.blocked(connection, 1_000);
    assertThat(channel.config().isAutoRead()).as("not read while over the cap").isFalse();
    policy.dropped(connection, 1_200);
    policy.dropped(connection, 1_500);
    assertThat(connection.dropped()).isEqualTo(2);
    assertThat(connection.droppingSince()).isEqualTo(1_000);

    policy.drained(connection);
    assertThat(channel.config().isAutoRead()).isTrue();
    assertThat(connection.dropped()).isZero();
    assertThat(connection.droppingSince()).isZero();
    JsonObject notice = new JsonObject(WrittenFrames.text(channel.readOutbound()));
    assertThat(notice.getString("code")).isEqualTo("slow_consumer");
    assertThat(notice.getString("message")).startsWith("2 messages were dropped");
    assertThat(stats.toJson().getJsonObject("errors").containsKey("slow_consumer")).as("not counted as an error").isFalse();
    channel.finishAndReleaseAll();
  }

  @Test
  void aDropBeforeTheWritabilityEventStartsTheClockToo() {
    EmbeddedChannel channel = new EmbeddedChannel();
    TestConnection connection = new TestConnection("c5", channel, true);
    SlowConsumerPolicy policy = new SlowConsumerPolicy(closer, 30_000, writer);
    policy.dropped(connection, 7_000);
    assertThat(connection.droppingSince()).isEqualTo(7_000);
    assertThat(channel.config().isAutoRead()).isFalse();
    channel.finishAndReleaseAll();
  }

  @Test
  void aClientWithoutSuchAFrameIsNotTold() {
    EmbeddedChannel channel = new EmbeddedChannel();
    TestConnection connection = new TestConnection("c2", channel, false);
    SlowConsumerPolicy policy = new SlowConsumerPolicy(closer, 30_000, writer);
    policy.dropped(connection, 1_000);
    policy.drained(connection);
    assertThat((Object) channel.readOutbound()).isNull();
    channel.finishAndReleaseAll();
  }

  @Test
  void stayingOverTheCapForTheWholeWindowClosesWith1013() {
    EmbeddedChannel channel = new EmbeddedChannel();
    TestConnection connection = new TestConnection("c3", channel, true);
    SlowConsumerPolicy policy = new SlowConsumerPolicy(closer, 5_000, writer);

    // Over the cap since 6 s ago: the check finds the window passed.
    policy.blocked(connection, System.currentTimeMillis() - 6_000);
    assertThat(connection.closing()).isFalse();
    channel.advanceTimeBy(5, TimeUnit.SECONDS);
    channel.runScheduledPendingTasks();
    assertThat(connection.closing()).isTrue();
    Object out = channel.readOutbound();
    assertThat(out).isInstanceOf(CloseWebSocketFrame.class);
    assertThat(((CloseWebSocketFrame) out).statusCode()).isEqualTo(1013);
    ((CloseWebSocketFrame) out).release();
    channel.finishAndReleaseAll();
  }

  @Test
  void aSocketThatDrainedInTimeIsNotClosed() {
    EmbeddedChannel channel = new EmbeddedChannel();
    TestConnection connection = new TestConnection("c6", channel, true);
    SlowConsumerPolicy policy = new SlowConsumerPolicy(closer, 5_000, writer);
    policy.blocked(connection, System.currentTimeMillis() - 6_000);
    policy.drained(connection);
    channel.advanceTimeBy(5, TimeUnit.SECONDS);
    channel.runScheduledPendingTasks();
    assertThat(connection.closing()).isFalse();
    channel.finishAndReleaseAll();
  }

  @Test
  void zeroNeverCloses() {
    EmbeddedChannel channel = new EmbeddedChannel();
    TestConnection connection = new TestConnection("c4", channel, true);
    SlowConsumerPolicy policy = new SlowConsumerPolicy(closer, 0, writer);
    policy.blocked(connection, 1);
    channel.advanceTimeBy(1, TimeUnit.HOURS);
    channel.runScheduledPendingTasks();
    assertThat(connection.closing()).isFalse();
    channel.finishAndReleaseAll();
  }
}
