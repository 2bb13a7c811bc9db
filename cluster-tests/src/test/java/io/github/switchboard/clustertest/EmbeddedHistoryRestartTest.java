package io.github.switchboard.clustertest;

import io.vertx.core.http.WebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The one-command mode keeps its history across a restart (docs/operations.md, "History on
 * disk"): the README's {@code java -jar gateway-fat.jar}, with the default settings but the data
 * directory, takes chat messages and stream publishes, is killed with kill -9 (no time to write
 * anything more), and started again on the same directory: the room's messages are all there,
 * each at the offset it was acknowledged with, and a client with {@code since} recovers the
 * stream in its epoch ({@code recovered: true}). Then the same through a graceful stop (SIGTERM).
 */
class EmbeddedHistoryRestartTest {

  private static final String API_KEY = "embedded-restart-key";
  private static final String STREAMS = "[{\"pattern\":\"ledger.*\",\"subscribe\":true,\"publish\":true,"
    + "\"history\":{\"size\":1000,\"ttlMs\":600000}},{\"pattern\":\"*\",\"subscribe\":true,\"publish\":true}]";
  private static final Map<String, String> ENV = Map.of("SWITCHBOARD_API_KEY", API_KEY, "SWITCHBOARD_GROUPS", STREAMS);

  private TestCluster cluster;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void roomsAndStreamsComeBackAfterKillMinusNineAndAfterAGracefulStop() throws Exception {
    cluster = new TestCluster("embedded-restart");
    TestCluster.Gateway gateway = start();
    // Acknowledged offsets, as the sender saw them.
    List<Long> roomOffsets = new ArrayList<>();
    for (int n = 1; n <= 30; n++) {
      roomOffsets.add(publish(gateway, "chat.kept", "\"room message " + n + "\"").getLong("offset"));
    }
    String epoch = null;
    for (int n = 1; n <= 50; n++) {
      JsonObject ack = publish(gateway, "ledger.a", "{\"n\":" + n + "}");
      assertThat(ack.getLong("offset")).isEqualTo(n);
      epoch = epoch == null ? ack.getString("epoch") : epoch;
      assertThat(ack.getString("epoch")).isEqualTo(epoch);
    }
    assertThat(roomOffsets).isEqualTo(IntStream.rangeClosed(1, 30).mapToObj(Long::valueOf).toList());
    assertThat(Files.list(cluster.dataDir("embedded")).map(p -> p.getFileName().toString()))
      .contains("switchboard.chat.history.history", "switchboard.streams.history");

    gateway.process().kill();
    gateway = start();
    assertRoom(gateway, 30);
    assertStreamRecovers(gateway, epoch, 40, 50);
    JsonObject next = publish(gateway, "ledger.a", "{\"n\":51}");
    assertThat(next.getLong("offset")).as("the numbering goes on: %s", next).isEqualTo(51L);
    assertThat(next.getString("epoch")).as("in the same epoch").isEqualTo(epoch);
    assertThat(publish(gateway, "chat.kept", "\"room message 31\"").getLong("offset")).isEqualTo(31L);

    gateway.process().terminate();
    assertThat(gateway.process().waitForExit(Duration.ofSeconds(30))).as("stopped on SIGTERM").isTrue();
    gateway = start();
    assertRoom(gateway, 31);
    assertStreamRecovers(gateway, epoch, 45, 51);
  }

  private TestCluster.Gateway start() {
    return cluster.gateway("embedded", ClusterProcess.DEFAULT_JVM_OPTIONS, false, ENV);
  }

  private JsonObject publish(TestCluster.Gateway gateway, String group, String data) {
    var response = cluster.post(gateway, "/api/groups/" + group + "/messages", "{\"data\":" + data + "}", API_KEY);
    assertThat(response.statusCode()).as("publish to %s: %s", group, response.bodyAsString()).isEqualTo(202);
    return response.bodyAsJsonObject();
  }

  /** The room's history holds messages 1..n, in order, with their text. */
  private void assertRoom(TestCluster.Gateway gateway, int n) {
    JsonArray messages = cluster.get(gateway, "/rooms/kept/messages").bodyAsJsonArray();
    assertThat(messages).hasSize(n);
    for (int i = 0; i < n; i++) {
      assertThat(messages.getJsonObject(i).encode()).as("message %d", i + 1).contains("room message " + (i + 1) + "\"");
    }
  }

  /** A socket subscribing with since {after, epoch} is told recovered and gets after+1..top. */
  private void assertStreamRecovers(TestCluster.Gateway gateway, String epoch, long after, long top) throws Exception {
    WebSocket ws = cluster.vertx.createWebSocketClient().connect(gateway.port(), "127.0.0.1", "/ws")
      .await(10, TimeUnit.SECONDS);
    List<JsonObject> frames = Collections.synchronizedList(new ArrayList<>());
    ws.textMessageHandler(text -> frames.add(new JsonObject(text)));
    ws.writeTextMessage(new JsonObject().put("type", "subscribe").put("group", "ledger.a").put("id", 1)
      .put("since", new JsonObject().put("offset", after).put("epoch", epoch)).encode());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (frames.size() < 1 + top - after) {
      assertThat(System.nanoTime()).as("replay of %d..%d: %s", after + 1, top, frames).isLessThan(deadline);
      cluster.vertx.timer(20).await(5, TimeUnit.SECONDS);
    }
    synchronized (frames) {
      assertThat(frames.get(0).getString("type")).isEqualTo("subscribed");
      assertThat(frames.get(0).getBoolean("recovered")).as("recovered in epoch %s: %s", epoch, frames.get(0)).isTrue();
      for (long offset = after + 1; offset <= top; offset++) {
        JsonObject message = frames.get((int) (offset - after));
        assertThat(message.getLong("offset")).isEqualTo(offset);
        assertThat(message.getString("epoch")).isEqualTo(epoch);
        assertThat(message.getJsonObject("data").getLong("n")).isEqualTo(offset);
      }
    }
    ws.close();
  }
}
