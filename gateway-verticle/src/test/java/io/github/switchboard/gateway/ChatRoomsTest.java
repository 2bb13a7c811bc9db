package io.github.switchboard.gateway;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/protocol.md 1.2 and the chat parts of section 3, against the embedded chat service. */
class ChatRoomsTest {

  private Vertx vertx;
  private GatewayHarness gateway;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    // Every error frame, one per bad input: the once-a-second rule of seed endpoints has its own test.
    gateway = GatewayHarness.start(vertx, new JsonObject().put("seedErrorIntervalMs", 0)
      .put("chat", new JsonObject().put("historySize", 5).put("maxMessageLength", 50))
      .put("simulator", new JsonObject().put("randomIntervalMs", 60_000)));
  }

  @AfterEach
  void stop() {
    gateway.close();
    vertx.close().await();
  }

  private TestSocket join(String room) {
    TestSocket socket = gateway.connect("/ws/chat/" + room + "?welcome=1");
    JsonObject welcome = socket.nextJson();
    assertThat(welcome.getString("type")).isEqualTo("welcome");
    assertThat(welcome.getString("room")).isEqualTo(room);
    assertThat(welcome.getString("connectionId")).isNotBlank();
    GatewayHarness.await("member of " + room, () -> gateway.get("/api/stats?group=chat." + room)
      .bodyAsJsonObject().getJsonObject("group").getInteger("localMembers") > 0);
    return socket;
  }


  @Test
  void atTheRoomBoundANewRoomIsRefusedWithLimitReachedAndOpenRoomsGoOn() {
    gateway.close();
    gateway = GatewayHarness.start(vertx, new JsonObject().put("chat", new JsonObject().put("maxRooms", 2))
      .put("simulator", new JsonObject().put("randomIntervalMs", 60_000)));
    try (TestSocket one = join("one"); TestSocket two = join("two"); TestSocket three = join("three")) {
      one.send("{\"message\":\"first room\"}");
      assertThat(one.nextJson().getLong("seq")).isEqualTo(1L);
      two.send("{\"message\":\"second room\"}");
      assertThat(two.nextJson().getLong("seq")).isEqualTo(1L);

      three.send("{\"message\":\"one room too many\"}");
      JsonObject refused = three.nextJson();
      assertThat(refused.getString("type")).isEqualTo("error");
      assertThat(refused.getString("code")).isEqualTo("limit_reached");
      assertThat(refused.getString("message")).contains("2 rooms");
      HttpResponse<Buffer> overHttp = gateway.post("/api/groups/chat.four/messages", new JsonObject().put("data", "hi"));
      assertThat(overHttp.statusCode()).isEqualTo(503);
      assertThat(overHttp.bodyAsJsonObject().getString("error")).isEqualTo("limit_reached");
      assertThat(gateway.get("/rooms/three/messages").bodyAsJsonArray()).as("nothing stored").isEmpty();

      one.send("{\"message\":\"the first room goes on\"}");
      assertThat(one.nextJson().getLong("seq")).isEqualTo(2L);
      assertThat(three.isClosed()).isFalse();
    }
  }

  @Test
  void messageReachesEveryoneInTheRoomIncludingTheSenderAndNoOtherRoom() {
    try (TestSocket alice = gateway.connect("/ws/chat/lobby?welcome=1"); TestSocket bob = gateway.connect("/ws/chat/lobby?welcome=1");
         TestSocket carol = gateway.connect("/ws/chat/kitchen?welcome=1")) {
      String aliceId = alice.nextJson().getString("connectionId");
      String bobId = bob.nextJson().getString("connectionId");
      carol.nextJson();
      assertThat(aliceId).isNotEqualTo(bobId);
      GatewayHarness.await("lobby members", () -> gateway.get("/api/stats?group=chat.lobby")
        .bodyAsJsonObject().getJsonObject("group").getInteger("localMembers") == 2);

      alice.send("{\"message\":\"hello <b>all</b>\"}");
      JsonObject atAlice = alice.nextJson();
      JsonObject atBob = bob.nextJson();
      assertThat(atAlice).isEqualTo(atBob);
      assertThat(atAlice.getString("type")).isEqualTo("chat");
      assertThat(atAlice.getString("message")).isEqualTo("hello <b>all</b>");
      assertThat(atAlice.getString("room")).isEqualTo("lobby");
      assertThat(atAlice.getString("sender")).isEqualTo(aliceId);
      assertThat(atAlice.getLong("seq")).isEqualTo(1L);
      assertThat(atAlice.getString("id")).isNotBlank();
      assertThat(atAlice.getLong("ts")).isPositive();

      // Rooms are isolated: the kitchen's first message is its own, with its own seq.
      carol.send("{\"message\":\"kitchen only\"}");
      JsonObject atCarol = carol.nextJson();
      assertThat(atCarol.getString("message")).isEqualTo("kitchen only");
      assertThat(atCarol.getLong("seq")).isEqualTo(1L);
      bob.send("{\"message\":\"second\"}");
      assertThat(alice.nextJson().getLong("seq")).isEqualTo(2L);
      assertThat(bob.nextJson().getString("sender")).isEqualTo(bobId);
      assertThat(alice.pending() + bob.pending() + carol.pending()).isZero();
    }
  }

  @Test
  void seqIsStrictlyPlusOneUnderConcurrentSenders() {
    int senders = 3;
    int each = 25;
    List<TestSocket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < senders; i++) {
        sockets.add(join("race"));
      }
      GatewayHarness.await("race members", () -> gateway.get("/api/stats?group=chat.race")
        .bodyAsJsonObject().getJsonObject("group").getInteger("localMembers") == senders);
      for (int n = 0; n < each; n++) {
        for (int i = 0; i < senders; i++) {
          sockets.get(i).socket().writeTextMessage("{\"message\":\"m" + i + "-" + n + "\"}");
        }
      }
      Set<String> ids = new HashSet<>();
      for (TestSocket socket : sockets) {
        for (long expected = 1; expected <= (long) senders * each; expected++) {
          JsonObject message = socket.nextJson();
          assertThat(message.getLong("seq")).isEqualTo(expected);
          ids.add(message.getString("id"));
        }
      }
      assertThat(ids).hasSize(senders * each);
    } finally {
      sockets.forEach(TestSocket::close);
    }
  }

  @Test
  void invalidMessagesGetErrorFramesAndTheSocketStays() {
    try (TestSocket socket = join("errors")) {
      socket.send("{\"message\":\"   \"}");
      assertThat(socket.nextJson().getString("code")).isEqualTo("invalid_field");
      socket.send("{\"message\":\"" + "x".repeat(51) + "\"}");
      assertThat(socket.nextJson().getString("code")).isEqualTo("too_large");
      socket.send("{\"text\":\"wrong field\"}");
      assertThat(socket.nextJson().getString("code")).isEqualTo("invalid_field");
      socket.send("{\"message\":42}");
      assertThat(socket.nextJson().getString("code")).isEqualTo("invalid_field");
      socket.send("not json");
      assertThat(socket.nextJson().getString("code")).isEqualTo("invalid_json");
      // Control characters are removed, newlines and tabs kept.
      socket.send(new JsonObject().put("message", "a\u0000b\u0007c\n\td"));
      JsonObject ok = socket.nextJson();
      assertThat(ok.getString("message")).isEqualTo("abc\n\td");
      assertThat(ok.getLong("seq")).isEqualTo(1L);
    }
  }

  @Test
  void historyOverRestKeepsTheLastNOldestFirst() {
    try (TestSocket socket = join("history")) {
      for (int i = 1; i <= 8; i++) {
        socket.send("{\"message\":\"n" + i + "\"}");
        assertThat(socket.nextJson().getLong("seq")).isEqualTo(i);
      }
    }
    var response = gateway.get("/rooms/history/messages");
    assertThat(response.statusCode()).isEqualTo(200);
    JsonArray messages = response.bodyAsJsonArray();
    assertThat(messages).hasSize(5);
    for (int i = 0; i < 5; i++) {
      assertThat(messages.getJsonObject(i).getLong("seq")).isEqualTo(4L + i);
      assertThat(messages.getJsonObject(i).getString("message")).isEqualTo("n" + (4 + i));
    }
    assertThat(gateway.get("/rooms/empty-room/messages").bodyAsJsonArray()).isEmpty();
    assertThat(gateway.get("/rooms/bad%20room/messages").statusCode()).isEqualTo(400);
  }

  @Test
  void multiplexSinceReplaysWithoutGapsOrDuplicates() {
    try (TestSocket writer = join("replay")) {
      for (int i = 1; i <= 8; i++) {
        writer.send("{\"message\":\"r" + i + "\"}");
        assertThat(writer.nextJson().getLong("seq")).isEqualTo(i);
      }
      try (TestSocket reader = gateway.connect("/ws")) {
        reader.send("{\"type\":\"subscribe\",\"group\":\"chat.replay\",\"since\":5,\"id\":1}");
        JsonObject subscribed = reader.nextJson();
        String epoch = subscribed.getString("epoch");
        assertThat(epoch).isNotBlank();
        assertThat(subscribed).isEqualTo(new JsonObject().put("type", "subscribed").put("group", "chat.replay")
          .put("id", 1).put("recovered", true).put("epoch", epoch).put("offset", 8).put("seq", 8));
        for (long seq = 6; seq <= 8; seq++) {
          JsonObject message = reader.nextJson();
          assertThat(message.getString("type")).isEqualTo("message");
          assertThat(message.getLong("seq")).isEqualTo(seq);
          assertThat(message.getString("epoch")).isEqualTo(epoch);
          assertThat(message.getJsonObject("data").getLong("seq")).isEqualTo(seq);
          assertThat(message.getJsonObject("data").getString("epoch")).isEqualTo(epoch);
          assertThat(message.getJsonObject("data").getString("message")).isEqualTo("r" + seq);
        }
        // Live messages continue the sequence.
        writer.send("{\"message\":\"live\"}");
        JsonObject live = reader.nextJson();
        assertThat(live.getLong("seq")).isEqualTo(9L);
        assertThat(live.getJsonObject("data").getString("message")).isEqualTo("live");
      }
      // Seq 1..4 fell out of the 5-message history: not recovered, but what is stored comes.
      try (TestSocket late = gateway.connect("/ws")) {
        late.send("{\"type\":\"subscribe\",\"group\":\"chat.replay\",\"since\":1,\"id\":\"late\"}");
        assertThat(late.nextJson().getBoolean("recovered")).isFalse();
        for (long seq = 5; seq <= 9; seq++) {
          assertThat(late.nextJson().getLong("seq")).isEqualTo(seq);
        }
      }
    }
  }

  @Test
  void aPositionInAnotherEpochIsNotRecoveredAndTheNewRoomComesLive() {
    // Rooms freed a second after their last message: the room is opened again in a new epoch.
    gateway.close();
    gateway = GatewayHarness.start(vertx, new JsonObject().put("chat", new JsonObject().put("historyTtlMs", 1_000))
      .put("simulator", new JsonObject().put("randomIntervalMs", 60_000)));
    String oldEpoch;
    try (TestSocket writer = join("phoenix")) {
      for (int i = 1; i <= 3; i++) {
        writer.send("{\"message\":\"old " + i + "\"}");
        assertThat(writer.nextJson().getLong("seq")).isEqualTo(i);
      }
      try (TestSocket reader = gateway.connect("/ws")) {
        reader.send("{\"type\":\"subscribe\",\"group\":\"chat.phoenix\",\"since\":0,\"id\":1}");
        oldEpoch = reader.nextJson().getString("epoch");
        assertThat(reader.nextJson().getString("epoch")).isEqualTo(oldEpoch);
        // A room with no history has no epoch; from position 0 nothing can be missed.
        reader.send("{\"type\":\"subscribe\",\"group\":\"chat.other\",\"since\":{\"seq\":0,\"epoch\":\"none\"},\"id\":2}");
        JsonObject empty = reader.awaitJson(j -> Integer.valueOf(2).equals(j.getValue("id")));
        assertThat(empty.getBoolean("recovered")).isTrue();
        assertThat(empty.getValue("epoch")).isNull();
        assertThat(empty.getLong("seq")).isZero();
        // A position past 0 in an epoch the room does not have: not recovered.
        reader.send("{\"type\":\"subscribe\",\"group\":\"chat.other2\",\"since\":{\"seq\":4,\"epoch\":\"gone\"},\"id\":6}");
        assertThat(reader.awaitJson(j -> Integer.valueOf(6).equals(j.getValue("id"))).getBoolean("recovered")).isFalse();
      }
      GatewayHarness.await("room phoenix freed", () -> gateway.get("/rooms/phoenix/messages").bodyAsJsonArray().isEmpty());
      writer.send("{\"message\":\"new 1\"}");
      JsonObject reopened = writer.nextJson();
      assertThat(reopened.getLong("seq")).isEqualTo(1L);
      assertThat(reopened.getString("epoch")).isNotEqualTo(oldEpoch);
      writer.send("{\"message\":\"new 2\"}");
      writer.nextJson();

      try (TestSocket back = gateway.connect("/ws")) {
        // A client that saw old 1..3 comes back: seq 1 of the new room is below its position,
        // and only the epoch tells that it is another room.
        back.send(new JsonObject().put("type", "subscribe").put("group", "chat.phoenix")
          .put("since", new JsonObject().put("seq", 1).put("epoch", oldEpoch)).put("id", 3));
        JsonObject reply = back.nextJson();
        assertThat(reply.getBoolean("recovered")).isFalse();
        assertThat(reply.getString("epoch")).isEqualTo(reopened.getString("epoch"));
        assertThat(reply.getLong("seq")).isEqualTo(2L);
        writer.send("{\"message\":\"new 3\"}");
        JsonObject live = back.nextJson();
        assertThat(live.getLong("seq")).as("the new room's messages come, not held back by the old position").isEqualTo(3L);
        assertThat(live.getString("epoch")).isEqualTo(reopened.getString("epoch"));

        // Without an epoch (a bare number), the old position is taken at its word.
        back.send("{\"type\":\"unsubscribe\",\"group\":\"chat.phoenix\",\"id\":4}");
        back.awaitJson(j -> Integer.valueOf(4).equals(j.getValue("id")));
        back.send("{\"type\":\"subscribe\",\"group\":\"chat.phoenix\",\"since\":1,\"id\":5}");
        assertThat(back.awaitJson(j -> Integer.valueOf(5).equals(j.getValue("id"))).getBoolean("recovered")).isTrue();
      }
    }
  }

  @Test
  void sinceRacingWithLiveMessagesNeitherLosesNorRepeats() {
    // History large enough for the whole run, so that recovery must be complete whenever the
    // subscribe lands among the live messages.
    Vertx other = Vertx.vertx();
    try (GatewayHarness roomy = GatewayHarness.start(other, new JsonObject()
      .put("chat", new JsonObject().put("historySize", 100)).put("simulator", new JsonObject().put("randomIntervalMs", 60_000)));
         TestSocket writer = roomy.connect("/ws/chat/busy?welcome=1")) {
      writer.nextJson();
      for (int i = 1; i <= 3; i++) {
        writer.send("{\"message\":\"b" + i + "\"}");
        assertThat(writer.nextJson().getLong("seq")).isEqualTo(i);
      }
      try (TestSocket reader = roomy.connect("/ws")) {
        // Messages keep coming while the subscription replays history.
        for (int i = 4; i <= 40; i++) {
          writer.socket().writeTextMessage("{\"message\":\"b" + i + "\"}");
          if (i == 6) {
            reader.send("{\"type\":\"subscribe\",\"group\":\"chat.busy\",\"since\":3,\"id\":1}");
          }
        }
        JsonObject reply = reader.nextJson();
        assertThat(reply.getString("type")).isEqualTo("subscribed");
        assertThat(reply.getBoolean("recovered")).isTrue();
        for (long expected = 4; expected <= 40; expected++) {
          JsonObject message = reader.nextJson();
          assertThat(message.getLong("seq")).as("after %s: %s", reply, message).isEqualTo(expected);
        }
      }
    } finally {
      other.close().await();
    }
  }

  @Test
  void multiplexPublishToARoomGoesThroughTheChatService() {
    try (TestSocket seed = join("mixed"); TestSocket mux = gateway.connect("/ws")) {
      mux.send("{\"type\":\"subscribe\",\"group\":\"chat.mixed\",\"id\":1}");
      assertThat(mux.nextJson().getString("type")).isEqualTo("subscribed");
      mux.send("{\"type\":\"publish\",\"group\":\"chat.mixed\",\"data\":{\"message\":\"from ws\"},\"id\":2}");
      JsonObject first = mux.nextJson();
      JsonObject second = mux.nextJson();
      JsonObject ack = "ack".equals(first.getString("type")) ? first : second;
      JsonObject delivered = "ack".equals(first.getString("type")) ? second : first;
      assertThat(ack).isEqualTo(new JsonObject().put("type", "ack").put("id", 2).put("offset", 1).put("seq", 1)
        .put("epoch", delivered.getString("epoch")));
      assertThat(delivered.getJsonObject("data").getString("message")).isEqualTo("from ws");
      JsonObject atSeed = seed.nextJson();
      assertThat(atSeed.getString("message")).isEqualTo("from ws");
      assertThat(atSeed.getLong("seq")).isEqualTo(1L);
      assertThat(atSeed).isEqualTo(delivered.getJsonObject("data"));
      mux.send("{\"type\":\"publish\",\"group\":\"chat.mixed\",\"data\":\"\",\"id\":3}");
      assertThat(mux.awaitJson(j -> "error".equals(j.getString("type")))).isEqualTo(new JsonObject()
        .put("type", "error").put("code", "invalid_field").put("message", "message must not be empty").put("id", 3));
    }
  }

  @Test
  void aChatServiceThatDoesNotAnswerInTimeGivesTimeoutNotAFailure() {
    Vertx other = Vertx.vertx();
    // An intake that stores (here: counts) and never answers: the sender cannot know.
    java.util.concurrent.atomic.AtomicInteger received = new java.util.concurrent.atomic.AtomicInteger();
    other.eventBus().consumer(io.github.switchboard.protocol.Addresses.CHAT_INTAKE, message -> received.incrementAndGet());
    try (GatewayHarness bare = GatewayHarness.start(other, new JsonObject().put("embeddedServices", false)
      .put("serviceTimeoutMs", 300)); TestSocket socket = bare.connect("/ws")) {
      socket.send("{\"type\":\"publish\",\"group\":\"chat.slow\",\"data\":\"hello\",\"id\":1}");
      JsonObject error = socket.awaitJson(j -> "error".equals(j.getString("type")));
      assertThat(error.getString("code")).isEqualTo("timeout");
      assertThat(error.getString("message")).contains("may have taken effect");
      assertThat(error.getInteger("id")).isEqualTo(1);
      assertThat(bare.post("/api/groups/chat.slow/messages", new JsonObject().put("data", "again")).statusCode()).isEqualTo(504);
      assertThat(received.get()).as("both reached the service").isEqualTo(2);
    } finally {
      other.close().await();
    }
  }

  @Test
  void chatWithoutTheServiceGetsServiceUnavailable() {
    Vertx other = Vertx.vertx();
    try (GatewayHarness bare = GatewayHarness.start(other, new JsonObject().put("embeddedServices", false)
      .put("serviceTimeoutMs", 500)); TestSocket socket = bare.connect("/ws/chat/lonely?welcome=1")) {
      socket.nextJson();
      socket.send("{\"message\":\"anyone?\"}");
      JsonObject error = socket.nextJson();
      assertThat(error.getString("type")).isEqualTo("error");
      assertThat(error.getString("code")).isEqualTo("service_unavailable");
      assertThat(bare.get("/rooms/lonely/messages").statusCode()).isEqualTo(503);
      assertThat(bare.get("/events").statusCode()).isEqualTo(503);
    } finally {
      other.close().await();
    }
  }
}
