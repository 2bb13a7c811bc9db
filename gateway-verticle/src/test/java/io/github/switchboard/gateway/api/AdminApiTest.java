package io.github.switchboard.gateway.api;

import io.github.switchboard.gateway.Await;
import io.github.switchboard.gateway.GatewayHarness;
import io.github.switchboard.gateway.TestSocket;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the admin page stands on, on one embedded gateway: the cluster view (one process with its
 * gateway, chat and simulator), finding sockets by user and by connection id and closing one,
 * and the page's login (401 and a form without it, a cookie after it that the API takes only with
 * the admin header). The page itself runs in Chromium against a cluster in cluster-tests'
 * AdminPageInChromiumTest.
 */
class AdminApiTest {

  private static final String SECRET = "a-test-secret-that-is-long-enough-for-hs256";
  private static final String KEY = "admin-api-test-key";

  private Vertx vertx;
  private GatewayHarness gateway;
  private JWTAuth signer;
  private WebClient http;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    signer = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(SECRET)));
    gateway = GatewayHarness.start(vertx, new JsonObject()
      .put("apiKey", KEY)
      .put("groups", new JsonArray("[{\"pattern\":\"*\",\"subscribe\":true,\"publish\":true}]"))
      .put("auth", new JsonObject().put("hs256Secret", SECRET).put("anonymous", true)));
    // Redirects are checked, not followed.
    http = WebClient.create(vertx, new WebClientOptions().setFollowRedirects(false));
  }

  @AfterEach
  void stop() {
    http.close();
    gateway.close();
    vertx.close().await();
  }

  private TestSocket user(String name) {
    String token = signer.generateToken(new JsonObject().put("sub", name).put("groups", new JsonArray().add("*")),
      new JWTOptions().setExpiresInSeconds(300));
    return gateway.connect("/ws?token=" + token);
  }

  private HttpResponse<Buffer> call(HttpMethod method, String path, JsonObject body) {
    HttpRequest<Buffer> request = http.request(method, gateway.port, "127.0.0.1", path).bearerTokenAuthentication(KEY);
    return Await.result(body == null ? request.send() : request.sendJsonObject(body));
  }

  @Test
  void theClusterOfAnEmbeddedGatewayIsOneProcessWithItsThreeComponentsActive() {
    JsonObject cluster = call(HttpMethod.GET, "/api/cluster", null).bodyAsJsonObject();
    assertThat(cluster.getBoolean("clustered")).isFalse();
    assertThat(cluster.getInteger("size")).isEqualTo(1);
    assertThat(cluster.getBoolean("sizesAgree")).isTrue();
    assertThat(cluster.getJsonObject("roles")).isEqualTo(new JsonObject()
      .put("chat", new JsonObject().put("active", new JsonArray().add("embedded")).put("standby", new JsonArray()))
      .put("simulator", new JsonObject().put("active", new JsonArray().add("embedded")).put("standby", new JsonArray())));
    JsonArray members = cluster.getJsonArray("members");
    assertThat(members).hasSize(1);
    JsonObject member = members.getJsonObject(0);
    assertThat(member.getString("node")).isEqualTo("embedded");
    assertThat(member.getLong("pid")).isEqualTo(ProcessHandle.current().pid());
    assertThat(member.getLong("uptimeMs")).isPositive();
    assertThat(member.getString("version")).isNotBlank();
    List<String> components = member.getJsonArray("components").stream()
      .map(c -> ((JsonObject) c).getString("component") + ":" + ((JsonObject) c).getString("state", "up")).toList();
    assertThat(components).containsExactlyInAnyOrder("chat:active", "gateway:up", "simulator:active");

    // The node report carries what the page turns into rates and the event loop's health.
    JsonObject node = call(HttpMethod.GET, "/api/nodes", null).bodyAsJsonObject().getJsonArray("nodes").getJsonObject(0);
    assertThat(node.getJsonObject("traffic").fieldNames()).contains("messagesIn", "messagesOut", "messagesDropped");
    assertThat(node.getJsonObject("eventLoopDelayMs").fieldNames()).containsExactlyInAnyOrder("last", "maxLastMinute");
    assertThat(node.getLong("sampledAt")).isPositive();
  }

  @Test
  void socketsAreFoundByUserAndByConnectionIdAndOneIsClosedWithTheChosenCode() {
    try (TestSocket alice1 = user("alice"); TestSocket alice2 = user("alice"); TestSocket bob = user("bob")) {
      alice1.send("{\"type\":\"subscribe\",\"group\":\"lobby\",\"id\":1}");
      assertThat(alice1.awaitJson(f -> "subscribed".equals(f.getString("type")) && "lobby".equals(f.getString("group"))))
        .isNotNull();
      for (TestSocket socket : List.of(alice2, bob)) {
        socket.send("{\"type\":\"ping\",\"id\":\"p\"}");
        socket.awaitJson(f -> "pong".equals(f.getString("type")));
      }

      JsonArray alices = call(HttpMethod.GET, "/api/users/alice/connections", null).bodyAsJsonObject().getJsonArray("connections");
      assertThat(alices).hasSize(2);
      // The one in the lobby is alice1.
      JsonObject inLobby = alices.stream().map(JsonObject.class::cast).filter(c -> c.getJsonArray("groups").contains("lobby"))
        .findFirst().orElseThrow();
      String a1 = inLobby.getString("id");
      String a2 = alices.stream().map(JsonObject.class::cast).map(c -> c.getString("id")).filter(id -> !id.equals(a1))
        .findFirst().orElseThrow();
      String b = call(HttpMethod.GET, "/api/users/bob/connections", null).bodyAsJsonObject().getJsonArray("connections")
        .getJsonObject(0).getString("id");

      JsonObject one = call(HttpMethod.GET, "/api/connections/" + a1, null).bodyAsJsonObject();
      assertThat(one.getString("user")).isEqualTo("alice");
      assertThat(one.getString("endpoint")).isEqualTo("/ws");
      assertThat(one.getJsonArray("groups")).contains("lobby", "user:alice");
      assertThat(one.getString("gateway")).isEqualTo(a1.substring(0, a1.indexOf('-')));
      assertThat(one.getString("remote")).startsWith("127.0.0.1:");
      assertThat(call(HttpMethod.GET, "/api/connections/nogateway-1", null).statusCode()).isEqualTo(404);
      assertThat(call(HttpMethod.GET, "/api/connections/" + a1.substring(0, a1.indexOf('-')) + "-999999", null).statusCode())
        .isEqualTo(404);
      assertThat(call(HttpMethod.GET, "/api/connections/nodash", null).statusCode()).isEqualTo(400);
      assertThat(call(HttpMethod.GET, "/api/users/alice/connections?limit=1", null).bodyAsJsonObject()
        .getBoolean("truncated")).isTrue();

      // One socket of alice's two: the other and bob's stay open.
      HttpResponse<Buffer> closed = call(HttpMethod.POST, "/api/connections/" + a1 + "/disconnect",
        new JsonObject().put("code", 4000).put("reason", "by an operator"));
      assertThat(closed.statusCode()).isEqualTo(200);
      assertThat(closed.bodyAsJsonObject().getInteger("connections")).isEqualTo(1);
      assertThat(alice1.awaitClose()).isEqualTo((short) 4000);
      assertThat(alice1.socket().closeReason()).isEqualTo("by an operator");
      for (TestSocket socket : List.of(alice2, bob)) {
        socket.send("{\"type\":\"ping\",\"id\":\"q\"}");
        assertThat(socket.awaitJson(f -> "pong".equals(f.getString("type"))).getString("id")).isEqualTo("q");
      }

      // Without a code: 4500, the client must not come back.
      assertThat(call(HttpMethod.POST, "/api/connections/" + b + "/disconnect", null).statusCode()).isEqualTo(200);
      assertThat(bob.awaitClose()).isEqualTo((short) 4500);

      GatewayHarness.await("alice's first socket gone", () ->
        call(HttpMethod.POST, "/api/connections/" + a1 + "/disconnect", null).statusCode() == 404);
      HttpResponse<Buffer> unknownGateway = call(HttpMethod.POST, "/api/connections/zzzzzzz-1/disconnect", null);
      assertThat(unknownGateway.statusCode()).isEqualTo(404);
      assertThat(unknownGateway.bodyAsJsonObject().getString("error")).isEqualTo("not_found");
      HttpResponse<Buffer> notAnId = call(HttpMethod.POST, "/api/connections/nodash/disconnect", null);
      assertThat(notAnId.statusCode()).isEqualTo(400);
      assertThat(call(HttpMethod.POST, "/api/connections/" + a2 + "/disconnect", new JsonObject().put("code", 1000))
        .statusCode()).isEqualTo(400);
      assertThat(Await.result(http.post(gateway.port, "127.0.0.1", "/api/connections/" + a2 + "/disconnect").send())
        .statusCode()).isEqualTo(401);
    }
  }

  @Test
  void theAdminPageNeedsALoginWithTheKeyAndItsCookieWorksOnlyWithTheAdminHeader() {
    HttpResponse<Buffer> page = get("/admin/", null, false);
    assertThat(page.statusCode()).isEqualTo(401);
    assertThat(page.getHeader("content-type")).startsWith("text/html");
    assertThat(page.bodyAsString()).contains("action=\"/admin/login\"").doesNotContain("admin.js");
    assertThat(get("/admin/admin.js", null, false).statusCode()).isEqualTo(401);
    assertThat(get("/admin", null, false).statusCode()).isEqualTo(302);
    // The public pages' handler does not serve the admin files under another spelling.
    assertThat(get("/admin-webroot/admin.js", null, false).statusCode()).isEqualTo(404);
    assertThat(get("/admin/../admin/admin.js", null, false).statusCode()).isIn(400, 401, 404);

    HttpResponse<Buffer> wrong = login("not-the-key");
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(wrong.bodyAsString()).contains("That is not the API key.");
    assertThat(wrong.cookies()).isEmpty();

    HttpResponse<Buffer> right = login(KEY);
    assertThat(right.statusCode()).isEqualTo(303);
    assertThat(right.getHeader("location")).isEqualTo("/admin/");
    String setCookie = right.cookies().get(0);
    assertThat(setCookie).contains("HTTPOnly").contains("SameSite=Strict").contains("Path=/");
    String cookie = setCookie.substring(0, setCookie.indexOf(';'));

    HttpResponse<Buffer> shown = get("/admin/", cookie, false);
    assertThat(shown.statusCode()).isEqualTo(200);
    assertThat(shown.bodyAsString()).contains("/admin/admin.js");
    assertThat(shown.getHeader("X-Frame-Options")).isEqualTo("DENY");
    assertThat(get("/admin/admin.js", cookie, false).statusCode()).isEqualTo(200);
    // The API: the cookie alone is not enough (a form or image another site makes the browser send).
    assertThat(get("/api/cluster", cookie, false).statusCode()).isEqualTo(401);
    assertThat(get("/api/cluster", cookie, true).statusCode()).isEqualTo(200);
    assertThat(get("/api/cluster", null, true).statusCode()).isEqualTo(401);
    // A forged or altered login is refused.
    String forged = cookie.substring(0, cookie.length() - 2) + (cookie.endsWith("AA") ? "BB" : "AA");
    assertThat(get("/admin/", forged, false).statusCode()).isEqualTo(401);
    assertThat(get("/api/cluster", forged, true).statusCode()).isEqualTo(401);
    // The key as a bearer token opens the page too (a script, a proxy that adds it).
    assertThat(Await.result(http.get(gateway.port, "127.0.0.1", "/admin/").bearerTokenAuthentication(KEY).send()).statusCode())
      .isEqualTo(200);

    HttpResponse<Buffer> out = Await.result(http.post(gateway.port, "127.0.0.1", "/admin/logout").putHeader("Cookie", cookie).send());
    assertThat(out.statusCode()).isEqualTo(303);
    assertThat(out.cookies().get(0)).startsWith("switchboard_admin=;").contains("Max-Age=0");
  }

  @Test
  void withoutAKeyAnEmbeddedGatewayShowsThePageToItsOwnMachineOnly() {
    GatewayHarness open = GatewayHarness.start(vertx, new JsonObject());
    try {
      HttpResponse<Buffer> page = Await.result(http.get(open.port, "127.0.0.1", "/admin/").send());
      assertThat(page.statusCode()).isEqualTo(200);
      HttpResponse<Buffer> cluster = Await.result(http.get(open.port, "127.0.0.1", "/api/cluster")
        .putHeader("X-Switchboard-Admin", "1").send());
      assertThat(cluster.statusCode()).isEqualTo(200);
      HttpResponse<Buffer> login = Await.result(http.post(open.port, "127.0.0.1", "/admin/login")
        .sendForm(io.vertx.core.MultiMap.caseInsensitiveMultiMap().add("key", "anything")));
      assertThat(login.statusCode()).isEqualTo(403);
    } finally {
      open.close();
    }
  }

  private HttpResponse<Buffer> login(String key) {
    return Await.result(http.post(gateway.port, "127.0.0.1", "/admin/login")
      .sendForm(io.vertx.core.MultiMap.caseInsensitiveMultiMap().add("key", key)));
  }

  private HttpResponse<Buffer> get(String path, String cookie, boolean adminHeader) {
    HttpRequest<Buffer> request = http.get(gateway.port, "127.0.0.1", path);
    if (cookie != null) {
      request.putHeader("Cookie", cookie);
    }
    if (adminHeader) {
      request.putHeader("X-Switchboard-Admin", "1");
    }
    return Await.result(request.send());
  }
}
