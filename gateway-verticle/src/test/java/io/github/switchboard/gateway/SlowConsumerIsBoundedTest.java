package io.github.switchboard.gateway;

import io.github.switchboard.protocol.Delivery;
import io.github.switchboard.protocol.Groups;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client that stops reading must not make the gateway buffer without bound. The threshold:
 * what the gateway accepts for a stalled socket is at most its write queue cap plus what the
 * kernel's socket buffers absorb (a few MiB on loopback); everything beyond is dropped and
 * counted. A reading client in the same group receives everything meanwhile.
 */
class SlowConsumerIsBoundedTest {

  private static final int MESSAGE_BYTES = 32 * 1024;
  private static final int BATCH = 8;
  /** Socket buffers (kernel, both ends) plus the 1 MiB write queue, generously. */
  private static final long BOUND_BYTES = 16L * 1024 * 1024;

  private Vertx vertx;
  private GatewayHarness gateway;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() {
    gateway.close();
    vertx.close().await();
  }

  private static String payload(int i) {
    return "{\"i\":" + i + ",\"pad\":\"" + "p".repeat(MESSAGE_BYTES) + "\"}";
  }

  private static TestSocket subscribe(GatewayHarness gateway, String group) {
    TestSocket socket = gateway.connect("/ws");
    socket.send("{\"type\":\"subscribe\",\"group\":\"" + group + "\",\"id\":1}");
    assertThat(socket.nextJson().getString("type")).isEqualTo("subscribed");
    return socket;
  }

  @Test
  void stalledReaderIsDroppedForAndToldWhileOthersGetEverything() {
    gateway = GatewayHarness.start(vertx, new JsonObject().put("embeddedServices", false)
      .put("writeQueueMaxBytes", 1024 * 1024).put("slowConsumerCloseMs", 0));
    try (TestSocket reader = subscribe(gateway, "firehose"); TestSocket stalled = subscribe(gateway, "firehose")) {
      AtomicInteger readerCount = new AtomicInteger();
      reader.socket().textMessageHandler(text -> readerCount.incrementAndGet());
      stalled.socket().pause();

      int total = 1200; // about 38 MiB through the gateway
      for (int sent = 0; sent < total; sent += BATCH) {
        for (int i = sent; i < sent + BATCH; i++) {
          vertx.eventBus().publish(Groups.address("firehose"), Delivery.json(payload(i)).encode());
        }
        int expected = sent + BATCH;
        GatewayHarness.await("reader keeps up", () -> readerCount.get() >= expected);
      }
      assertThat(readerCount.get()).isEqualTo(total);

      JsonObject stats = gateway.stats();
      long dropped = stats.getLong("messagesDropped");
      long acceptedForStalled = stats.getLong("messagesOut") - total;
      assertThat(dropped).isPositive();
      assertThat(acceptedForStalled + dropped).isEqualTo(total);
      assertThat(acceptedForStalled * MESSAGE_BYTES).isLessThanOrEqualTo(BOUND_BYTES);

      // Once it reads again, it gets what was queued, then learns how much it missed.
      stalled.socket().resume();
      JsonObject told = stalled.awaitJson(j -> "error".equals(j.getString("type")));
      assertThat(told.getString("code")).isEqualTo("slow_consumer");
      assertThat(told.getString("message")).startsWith(dropped + " messages were dropped");
      assertThat(stalled.isClosed()).isFalse();
    }
  }

  @Test
  void readerThatStaysStalledIsClosed() {
    gateway = GatewayHarness.start(vertx, new JsonObject().put("embeddedServices", false)
      .put("writeQueueMaxBytes", 64 * 1024).put("slowConsumerCloseMs", 300));
    try (TestSocket reader = subscribe(gateway, "firehose"); TestSocket stalled = subscribe(gateway, "firehose")) {
      AtomicInteger readerCount = new AtomicInteger();
      reader.socket().textMessageHandler(text -> readerCount.incrementAndGet());
      stalled.socket().pause();
      // Keep publishing until the stalled socket is closed; the deadline bounds the loop.
      int sent = 0;
      long deadline = System.nanoTime() + TestSocket.TIMEOUT.toNanos() * 3;
      int stalledSeenOpen = 0;
      while (gateway.stats().getInteger("connections") == 2) {
        assertThat(System.nanoTime()).as("stalled socket closed in time").isLessThan(deadline);
        for (int i = 0; i < BATCH; i++) {
          vertx.eventBus().publish(Groups.address("firehose"), Delivery.json(payload(sent++)).encode());
        }
        int expected = sent;
        GatewayHarness.await("reader keeps up", () -> readerCount.get() >= expected);
        stalledSeenOpen++;
      }
      assertThat(stalledSeenOpen).isPositive();
      stalled.socket().resume();
      // 1013 when the client reads up to the close frame within the grace second; a client that
      // stays stalled has its connection cut and sees 1006 (no close frame can pass its queue).
      assertThat(stalled.awaitClose()).isIn((short) 1013, (short) 1006);
      assertThat(reader.isClosed()).isFalse();
    }
  }
}
