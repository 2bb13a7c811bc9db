package io.github.switchboard.gateway;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/protocol.md section 4: POST /api/groups/{group}/messages. */
class HttpPublishTest {

  private Vertx vertx;
  private WebClient http;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    http = WebClient.create(vertx);
  }

  @AfterEach
  void stop() {
    http.close();
    vertx.close().await();
  }

  private HttpResponse<Buffer> post(GatewayHarness gateway, String group, String body, String authorization) {
    var request = http.post(gateway.port, "127.0.0.1", "/api/groups/" + group + "/messages");
    if (authorization != null) {
      request.putHeader("Authorization", authorization);
    }
    return Await.result(request.sendBuffer(Buffer.buffer(body)));
  }

  @Test
  void aBodySentAsAFormByCurlDashDIsReadAsJsonWhateverItsSize() {
    try (GatewayHarness gateway = GatewayHarness.start(vertx, new JsonObject().put("embeddedServices", false))) {
      // curl -d sends application/x-www-form-urlencoded; the body is still the JSON it wrote.
      String text = "x".repeat(5_000);
      var response = Await.result(http.post(gateway.port, "127.0.0.1", "/api/groups/news/messages")
        .putHeader("Content-Type", "application/x-www-form-urlencoded")
        .sendBuffer(Buffer.buffer(new JsonObject().put("data", new JsonObject().put("text", text)).encode())));
      assertThat(response.statusCode()).isEqualTo(202);
      var notJson = Await.result(http.post(gateway.port, "127.0.0.1", "/api/groups/news/messages")
        .putHeader("Content-Type", "application/x-www-form-urlencoded")
        .sendBuffer(Buffer.buffer("data=" + text)));
      assertJsonError(notJson, 400, "invalid_json");
    }
  }

  private static void assertJsonError(HttpResponse<Buffer> response, int status, String code) {
    assertThat(response.statusCode()).isEqualTo(status);
    assertThat(response.getHeader("content-type")).startsWith("application/json");
    assertThat(response.bodyAsJsonObject().getString("error")).isEqualTo(code);
    assertThat(response.bodyAsJsonObject().getString("message")).isNotBlank();
  }

  @Test
  void withAnApiKeyOnlyTheKeyHolderPublishesToAnyGroup() {
    try (GatewayHarness gateway = GatewayHarness.start(vertx, new JsonObject().put("apiKey", "s3cret-key")
      .put("maxPublishBytes", 1024).put("simulator", new JsonObject().put("randomIntervalMs", 60_000)));
         TestSocket subscriber = gateway.connect("/ws"); TestSocket hub = gateway.connect("/ws/hub")) {
      subscriber.send("{\"type\":\"subscribe\",\"group\":\"alerts\",\"id\":1}");
      assertThat(subscriber.nextJson().getString("type")).isEqualTo("subscribed");

      assertJsonError(post(gateway, "alerts", "{\"data\":1}", null), 401, "unauthorized");
      assertJsonError(post(gateway, "alerts", "{\"data\":1}", "Bearer wrong-key"), 401, "unauthorized");
      assertJsonError(post(gateway, "alerts", "{\"data\":1}", "Basic s3cret-key"), 401, "unauthorized");

      var accepted = post(gateway, "alerts", "{\"data\":{\"level\":\"high\"}}", "Bearer s3cret-key");
      assertThat(accepted.statusCode()).isEqualTo(202);
      assertThat(accepted.bodyAsJsonObject()).isEqualTo(new JsonObject().put("group", "alerts"));
      assertThat(subscriber.nextJson()).isEqualTo(new JsonObject().put("type", "message").put("group", "alerts")
        .put("data", new JsonObject().put("level", "high")));

      // The backend of the seed app: push JSON to every hub client.
      assertThat(post(gateway, "hub", "{\"data\":{\"myMsg\":\"Hello from Django\"}}", "Bearer s3cret-key").statusCode())
        .isEqualTo(202);
      assertThat(hub.next().text()).isEqualTo("{\"myMsg\":\"Hello from Django\"}");

      // With the key, service-owned groups are open to the backend too.
      assertThat(post(gateway, "scores", "{\"data\":0}", "Bearer s3cret-key").statusCode()).isEqualTo(202);

      assertJsonError(post(gateway, "alerts", "not json", "Bearer s3cret-key"), 400, "invalid_json");
      assertJsonError(post(gateway, "alerts", "{\"payload\":1}", "Bearer s3cret-key"), 400, "invalid_field");
      assertJsonError(post(gateway, "bad%20group", "{\"data\":1}", "Bearer s3cret-key"), 400, "invalid_group");
      assertJsonError(post(gateway, "alerts", "{\"data\":\"" + "x".repeat(2000) + "\"}", "Bearer s3cret-key"), 413, "too_large");
    }
  }

  @Test
  void chatRoomsGetASeqAndHistory() {
    try (GatewayHarness gateway = GatewayHarness.start(vertx, new JsonObject()
      .put("simulator", new JsonObject().put("randomIntervalMs", 60_000)));
         TestSocket room = gateway.connect("/ws/chat/news?welcome=1")) {
      room.nextJson();
      GatewayHarness.await("room member", () -> gateway.get("/api/stats?group=chat.news")
        .bodyAsJsonObject().getJsonObject("group").getInteger("localMembers") == 1);
      var first = post(gateway, "chat.news", "{\"data\":\"breaking\"}", null);
      assertThat(first.statusCode()).isEqualTo(202);
      JsonObject delivered = room.nextJson();
      assertThat(first.bodyAsJsonObject()).isEqualTo(new JsonObject().put("group", "chat.news").put("offset", 1)
        .put("seq", 1).put("epoch", delivered.getString("epoch")));
      assertThat(delivered.getString("message")).isEqualTo("breaking");
      assertThat(delivered.getString("sender")).isEqualTo("api");
      assertThat(post(gateway, "chat.news", "{\"data\":\"more\"}", null).bodyAsJsonObject().getLong("seq")).isEqualTo(2L);
      assertJsonError(post(gateway, "chat.news", "{\"data\":\" \"}", null), 400, "invalid_field");
      assertThat(gateway.get("/rooms/news/messages").bodyAsJsonArray()).hasSize(2);
    }
  }

  @Test
  void withoutAKeyTheClientRulesApply() {
    try (GatewayHarness gateway = GatewayHarness.start(vertx, new JsonObject().put("embeddedServices", false))) {
      assertThat(post(gateway, "anything", "{\"data\":[1,2]}", null).statusCode()).isEqualTo(202);
      assertJsonError(post(gateway, "scores", "{\"data\":1}", null), 403, "forbidden");
      assertJsonError(post(gateway, "random", "{\"data\":1}", null), 403, "forbidden");
    }
  }
}
