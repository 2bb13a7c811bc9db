package io.github.switchboard.gateway.hostile;

import io.github.switchboard.gateway.Await;
import io.github.switchboard.gateway.GatewayHarness;
import io.github.switchboard.gateway.TestSocket;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Input that is valid on its face and wrong underneath gets a clear answer: half a surrogate
 * pair escaped in JSON (it has no UTF-8 form and used to reach subscribers as "?"), and HTTP
 * methods a path does not take (405 with Allow, not 404).
 */
class MalformedInputTest {

  private static final String HALF_PAIR = "\\ud800";
  private static final String WHOLE_PAIR = "\\ud83d\\ude00";

  private static Vertx vertx;
  private static GatewayHarness gateway;
  private static WebClient http;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    gateway = GatewayHarness.start(vertx);
    http = WebClient.create(vertx);
  }

  @AfterAll
  static void stop() {
    http.close();
    gateway.close();
    vertx.close().await();
  }

  @Test
  void halfASurrogatePairIsRefusedOnWsAndAWholeOneArrivesIntact() {
    try (TestSocket publisher = gateway.connect("/ws"); TestSocket subscriber = gateway.connect("/ws")) {
      subscriber.send(new JsonObject().put("type", "subscribe").put("group", "news").put("id", 1));
      assertThat(subscriber.nextJson().getString("type")).isEqualTo("subscribed");

      publisher.send("{\"type\":\"publish\",\"group\":\"news\",\"data\":\"a" + HALF_PAIR + "b\",\"id\":2}");
      JsonObject refused = publisher.nextJson();
      assertThat(refused.getString("code")).isEqualTo("invalid_field");
      assertThat(refused.getString("message")).contains("surrogate");

      publisher.send("{\"type\":\"publish\",\"group\":\"news\",\"data\":\"" + WHOLE_PAIR + "\",\"id\":3}");
      assertThat(publisher.nextJson().getString("type")).isEqualTo("ack");
      JsonObject delivered = subscriber.nextJson();
      assertThat(delivered.getString("data")).as("nothing published in between").isEqualTo("\uD83D\uDE00");
    }
  }

  @Test
  void halfASurrogatePairIsRefusedInAChatRoomAndOverHttp() {
    try (TestSocket chat = gateway.connect("/ws/chat/surrogates?welcome=1")) {
      chat.nextJson(); // welcome
      chat.send("{\"message\":\"hi " + HALF_PAIR + "\"}");
      assertThat(chat.nextJson().getString("code")).isEqualTo("invalid_field");
    }
    HttpResponse<Buffer> response = Await.result(http.post(gateway.port, "127.0.0.1", "/api/groups/news/messages")
      .sendBuffer(Buffer.buffer("{\"data\":\"" + HALF_PAIR + "\"}")));
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.bodyAsJsonObject().getString("error")).isEqualTo("invalid_field");
  }

  @Test
  void aKnownPathAnswers405WithAllowToOtherMethodsAndHeadLikeGet() {
    HttpResponse<Buffer> delete = send(HttpMethod.DELETE, "/api/stats");
    assertThat(delete.statusCode()).isEqualTo(405);
    assertThat(delete.getHeader("Allow")).isEqualTo("GET, HEAD");
    assertThat(delete.bodyAsJsonObject().getString("error")).isEqualTo("method_not_allowed");

    HttpResponse<Buffer> get = send(HttpMethod.GET, "/api/groups/news/messages");
    assertThat(get.statusCode()).isEqualTo(405);
    assertThat(get.getHeader("Allow")).isEqualTo("POST");
    assertThat(send(HttpMethod.POST, "/ws").statusCode()).isEqualTo(405);
    assertThat(send(HttpMethod.PUT, "/health/ready").statusCode()).isEqualTo(405);

    HttpResponse<Buffer> head = send(HttpMethod.HEAD, "/health/live");
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.body()).as("no body for HEAD").isNull();
    assertThat(send(HttpMethod.HEAD, "/events").statusCode()).as("GET routes take HEAD").isIn(200, 503);
    assertThat(send(HttpMethod.DELETE, "/no/such/path").statusCode()).as("unknown paths stay 404").isEqualTo(404);
  }

  private static HttpResponse<Buffer> send(HttpMethod method, String path) {
    return Await.result(http.request(method, gateway.port, "127.0.0.1", path).send());
  }
}
