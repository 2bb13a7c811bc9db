package io.github.switchboard.gateway;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Presence of chat rooms: who is there, and join/leave events for those who opt in. */
class PresenceTest {

  private Vertx vertx;
  private GatewayHarness gateway;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    gateway = GatewayHarness.start(vertx, new JsonObject().put("simulator", new JsonObject().put("randomIntervalMs", 60_000)));
  }

  @AfterEach
  void stop() {
    gateway.close();
    vertx.close().await();
  }

  private static Set<String> ids(JsonArray members) {
    Set<String> ids = new HashSet<>();
    members.forEach(m -> ids.add(((JsonObject) m).getString("id")));
    return ids;
  }

  @Test
  void membersAreListedAndJoinsAndLeavesAreAnnounced() {
    try (TestSocket alice = gateway.connect("/ws/chat/presence?welcome=1"); TestSocket bob = gateway.connect("/ws/chat/presence?welcome=1");
         TestSocket watcher = gateway.connect("/ws")) {
      String aliceId = alice.nextJson().getString("connectionId");
      String bobId = bob.nextJson().getString("connectionId");

      watcher.send("{\"type\":\"presence\",\"group\":\"chat.presence\",\"id\":1}");
      JsonObject reply = watcher.nextJson();
      assertThat(reply.getString("type")).isEqualTo("presence");
      assertThat(reply.getInteger("id")).isEqualTo(1);
      assertThat(ids(reply.getJsonArray("members"))).containsExactlyInAnyOrder(aliceId, bobId);
      JsonObject first = reply.getJsonArray("members").getJsonObject(0);
      assertThat(first.getString("member")).isEqualTo(first.getString("id"));

      watcher.send("{\"type\":\"subscribe\",\"group\":\"presence:chat.presence\",\"id\":2}");
      assertThat(watcher.nextJson().getString("type")).isEqualTo("subscribed");
      String carolId;
      try (TestSocket carol = gateway.connect("/ws/chat/presence?welcome=1")) {
        carolId = carol.nextJson().getString("connectionId");
        JsonObject join = watcher.nextJson().getJsonObject("data");
        assertThat(join.getString("type")).isEqualTo("join");
        assertThat(join.getString("group")).isEqualTo("chat.presence");
        assertThat(join.getString("id")).isEqualTo(carolId);
      }
      JsonObject leave = watcher.nextJson().getJsonObject("data");
      assertThat(leave.getString("type")).isEqualTo("leave");
      assertThat(leave.getString("id")).isEqualTo(carolId);

      watcher.send("{\"type\":\"presence\",\"group\":\"chat.presence\",\"id\":3}");
      assertThat(ids(watcher.nextJson().getJsonArray("members"))).containsExactlyInAnyOrder(aliceId, bobId);
    }
  }

  /**
   * Each member is written again a tenth of the members at a time, every tenth of a third of the
   * TTL: none is ever missing from the list while connected, over many TTLs (an entry past its
   * TTL is dropped when read).
   */
  @Test
  void membersStayListedWhileConnectedOverManyTtls() {
    try (GatewayHarness shortTtl = GatewayHarness.start(vertx, new JsonObject().put("embeddedServices", false)
      .put("presenceTtlMs", 300).put("presenceGroups", new JsonArray().add("room.*"))
      // The watcher asks as fast as it is answered.
      .put("rateLimitPerSecond", 1_000_000).put("rateLimitBurst", 1_000_000))) {
      List<TestSocket> members = new java.util.ArrayList<>();
      Set<String> ids = new HashSet<>();
      try (TestSocket watcher = shortTtl.connect("/ws")) {
        for (int i = 0; i < 20; i++) {
          TestSocket member = shortTtl.connect("/ws");
          members.add(member);
          member.send("{\"type\":\"subscribe\",\"group\":\"room.kept\",\"id\":1}");
          assertThat(member.nextJson().getString("type")).isEqualTo("subscribed");
        }
        watcher.send("{\"type\":\"presence\",\"group\":\"room.kept\",\"id\":0}");
        ids.addAll(ids(watcher.nextJson().getJsonArray("members")));
        assertThat(ids).hasSize(20);
        // Ten TTLs; the gateway reads the list again at most once a second.
        long until = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(3);
        for (int n = 1; System.nanoTime() < until; n++) {
          watcher.send("{\"type\":\"presence\",\"group\":\"room.kept\",\"id\":" + n + "}");
          JsonObject reply = watcher.nextJson();
          assertThat(reply.getString("type")).as("reply %d: %s", n, reply).isEqualTo("presence");
          assertThat(ids(reply.getJsonArray("members"))).as("read %d", n).isEqualTo(ids);
        }
      } finally {
        members.forEach(TestSocket::close);
      }
    }
  }

  @Test
  void aBigListComesInPagesThatTogetherHoldEveryMemberOnce() {
    try (GatewayHarness paged = GatewayHarness.start(vertx, new JsonObject().put("embeddedServices", false)
      .put("presencePageSize", 2))) {
      java.util.List<TestSocket> members = new java.util.ArrayList<>();
      Set<String> expected = new HashSet<>();
      try (TestSocket watcher = paged.connect("/ws")) {
        for (int i = 0; i < 5; i++) {
          TestSocket member = paged.connect("/ws");
          members.add(member);
          member.send("{\"type\":\"subscribe\",\"group\":\"chat.paged\",\"id\":1}");
          assertThat(member.nextJson().getString("type")).isEqualTo("subscribed");
        }
        java.util.List<String> seen = new java.util.ArrayList<>();
        String after = null;
        int pages = 0;
        do {
          JsonObject request = new JsonObject().put("type", "presence").put("group", "chat.paged").put("id", pages);
          if (after != null) {
            request.put("after", after);
          }
          watcher.send(request);
          JsonObject page = watcher.nextJson();
          assertThat(page.getInteger("total")).isEqualTo(5);
          assertThat(page.getJsonArray("members").size()).isBetween(1, 2);
          page.getJsonArray("members").forEach(m -> seen.add(((JsonObject) m).getString("id")));
          after = page.getString("next");
          pages++;
        } while (after != null);
        assertThat(pages).isEqualTo(3);
        assertThat(seen).doesNotHaveDuplicates().hasSize(5).isSorted();

        watcher.send("{\"type\":\"presence\",\"group\":\"chat.paged\",\"after\":7,\"id\":9}");
        assertThat(watcher.nextJson().getString("code")).isEqualTo("invalid_field");
      } finally {
        members.forEach(TestSocket::close);
      }
    }
  }

  @Test
  void groupsWithoutPresenceSaySo() {
    try (TestSocket socket = gateway.connect("/ws")) {
      socket.send("{\"type\":\"presence\",\"group\":\"news\",\"id\":1}");
      assertThat(socket.nextJson().getString("code")).isEqualTo("invalid_group");
      socket.send("{\"type\":\"subscribe\",\"group\":\"presence:news\",\"id\":2}");
      assertThat(socket.nextJson().getString("code")).isEqualTo("invalid_group");
      socket.send("{\"type\":\"presence\",\"id\":3}");
      assertThat(socket.nextJson().getString("code")).isEqualTo("invalid_field");
      // Nobody may forge a join or leave.
      socket.send("{\"type\":\"publish\",\"group\":\"presence:chat.x\",\"data\":{\"type\":\"join\"},\"id\":4}");
      assertThat(socket.nextJson().getString("code")).isEqualTo("forbidden");
      assertThat(gateway.post("/api/groups/presence:chat.x/messages", new JsonObject().put("data", 1)).statusCode()).isEqualTo(403);
    }
  }
}
