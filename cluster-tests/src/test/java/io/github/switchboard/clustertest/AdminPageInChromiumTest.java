package io.github.switchboard.clustertest;

import io.github.switchboard.gateway.TestSocket;
import io.github.switchboard.gateway.web.Browser;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.Select;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The admin page in Chromium, on one gateway of a cluster of four processes (two gateways, chat,
 * simulator): after a login with the API key it lists the four members with their roles, a
 * group's subscribers on both gateways, and its disconnect button closes a socket that the other
 * gateway holds (the client sees 4500). Without the key, the page and the API it reads answer
 * 401. Writes docs/images/admin.png.
 */
class AdminPageInChromiumTest {

  private static final String KEY = "admin-page-key";
  private static final String SECRET = "a-test-secret-that-is-long-enough-for-hs256";
  private static final Duration LIVE = Duration.ofSeconds(30);

  private static TestCluster cluster;
  private static TestCluster.Gateway one;
  private static TestCluster.Gateway two;
  private static ClusterProcess chat;
  private static ClusterProcess simulator;
  private static JWTAuth signer;
  private static ChromeDriver browser;

  @BeforeAll
  static void start() {
    cluster = new TestCluster("admin-page");
    chat = cluster.chat("chat");
    simulator = cluster.simulator("simulator");
    Map<String, String> env = Map.of("SWITCHBOARD_API_KEY", KEY, "SWITCHBOARD_AUTH_HS256_SECRET", SECRET);
    one = cluster.gateway("gateway-1", env);
    two = cluster.gateway("gateway-2", env);
    signer = JWTAuth.create(cluster.vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256")
      .setBuffer(SECRET)));
    browser = Browser.start();
  }

  @AfterAll
  static void stop() {
    Browser.quit(browser);
    cluster.close();
  }

  private static TestSocket user(TestCluster.Gateway gateway, String name) {
    String token = signer.generateToken(new JsonObject().put("sub", name).put("groups", new JsonArray().add("*")),
      new JWTOptions().setExpiresInSeconds(600));
    return TestSocket.connect(cluster.vertx, gateway.port(), "/ws?token=" + token);
  }

  private static void subscribe(TestSocket socket, String group) {
    socket.send("{\"type\":\"subscribe\",\"group\":\"" + group + "\",\"id\":\"s\"}");
    socket.awaitJson(f -> "subscribed".equals(f.getString("type")) && group.equals(f.getString("group")));
  }

  @Test
  void withoutTheKeyThePageAndItsApiAnswer401() {
    assertThat(cluster.get(one, "/admin/").statusCode()).isEqualTo(401);
    assertThat(cluster.get(one, "/admin/admin.js").statusCode()).isEqualTo(401);
    assertThat(cluster.get(two, "/api/cluster").statusCode()).isEqualTo(401);
    assertThat(cluster.get(two, "/api/users/x/connections").statusCode()).isEqualTo(401);
  }

  @Test
  void theAdminPageShowsTheClusterAndClosesASocketHeldByTheOtherGateway() {
    JsonArray nodes = cluster.get(one, "/api/nodes", KEY).bodyAsJsonObject().getJsonArray("nodes");
    String gatewayOne = gatewayId(nodes, one);
    String gatewayTwo = gatewayId(nodes, two);
    try (TestSocket walterOne = user(one, "walter"); TestSocket walterTwo = user(two, "walter");
         TestSocket carol = user(two, "carol"); TestSocket mallory = user(two, "mallory")) {
      subscribe(walterOne, "census");
      subscribe(walterTwo, "census");
      subscribe(carol, "census");
      subscribe(mallory, "chat.lobby");

      browser.get("http://127.0.0.1:" + one.port() + "/admin/");
      assertThat(browser.findElements(By.id("members"))).as("no page before the login").isEmpty();
      // The login form came with a 401, which the console reports: not an error of the page.
      assertThat(Browser.consoleErrors(browser)).allMatch(line -> line.contains("status of 401"));
      browser.findElement(By.id("key")).sendKeys(KEY);
      browser.findElement(By.cssSelector("form button[type=submit]")).click();

      // Four members: two gateways (lite), the chat and the simulator services (data), each active.
      Browser.await(browser, LIVE, "four members with their roles", d -> rolesShown(d).size() == 4
        && rolesShown(d).containsAll(List.of("gateway", "chat:active", "simulator:active")));
      assertThat(rolesShown(browser)).filteredOn("gateway"::equals).hasSize(2);
      // Each process rewrites its entry every few seconds: all four come to say they see four members.
      try {
        Browser.await(browser, LIVE, "every member sees four", d -> d.findElements(By.cssSelector("#members tbody tr")).stream()
          .allMatch(r -> r.getText().contains("4 members")));
      } catch (org.openqa.selenium.TimeoutException e) {
        throw new AssertionError("not every member sees four: " + Browser.all(browser, "#members tbody tr").stream()
          .map(WebElement::getText).toList() + "\n" + cluster.get(one, "/api/cluster", KEY).bodyAsString(), e);
      }

      // The group's subscribers, from both gateways: one socket on the first, two on the second.
      Browser.await(browser, LIVE, "census on both gateways", d -> {
        List<WebElement> rows = d.findElements(By.cssSelector("#groups tr[data-group='census'] td"));
        return rows.size() >= 3 && rows.get(1).getText().equals("3")
          && rows.get(2).getText().contains(gatewayOne + ": 1") && rows.get(2).getText().contains(gatewayTwo + ": 2");
      });
      // Rates need two reports of each gateway.
      Browser.await(browser, LIVE, "both gateways' traffic rates", d ->
        d.findElements(By.cssSelector("#gateways tr[data-gateway]")).size() == 2
          && d.findElements(By.cssSelector("#gateways td")).stream().noneMatch(td -> td.getText().equals("…")));

      // Find mallory (on the second gateway) and close her socket from the first gateway's page.
      new Select(browser.findElement(By.id("search-by"))).selectByValue("user");
      browser.findElement(By.id("search-value")).sendKeys("mallory");
      browser.findElement(By.id("search-button")).click();
      WebElement row = Browser.await(browser, LIVE, "mallory's socket listed", d ->
        d.findElements(By.cssSelector("#connections tr[data-connection]")).stream().findFirst().orElse(null));
      assertThat(row.getDomAttribute("data-gateway")).isEqualTo(gatewayTwo);
      Browser.screenshot(browser, "admin");
      String connection = row.getDomAttribute("data-connection");
      // Found again at the click: a stale handle (the list is read every 2 s) is retried.
      Browser.await(browser, LIVE, "the Disconnect button clicked", d -> {
        d.findElement(By.cssSelector("#connections button.disconnect[data-connection='" + connection + "']")).click();
        return true;
      });
      assertThat(mallory.awaitClose()).as("the documented code for a client that must not come back").isEqualTo((short) 4500);
      assertThat(mallory.socket().closeReason()).isEqualTo("disconnected by an operator");
      Browser.await(browser, LIVE, "the page says it was closed", d ->
        d.findElement(By.id("action-note")).getText().contains("closed with 4500 on gateway " + gatewayTwo));

      // Nobody else was touched.
      for (TestSocket socket : List.of(walterOne, walterTwo, carol)) {
        socket.send("{\"type\":\"ping\",\"id\":\"after\"}");
        assertThat(socket.awaitJson(f -> "pong".equals(f.getString("type"))).getString("id")).isEqualTo("after");
      }
      assertThat(Browser.consoleErrors(browser)).isEmpty();
    }
  }

  /**
   * The cluster in every process's metrics: each sees two data and two lite members, the chat
   * and simulator instances hold their roles; and every switchboard_* series that the Grafana
   * dashboard and the alerts of docs/operations.md name is served by one of the processes.
   */
  @Test
  void everyProcessReportsTheClusterAndEverySeriesTheDashboardAndAlertsUseExists() throws Exception {
    Waits.until(cluster, "every process sees two data and two lite members", () ->
      List.of(cluster.get(one, "/metrics").bodyAsString(), cluster.get(chat, "/metrics").bodyAsString(),
          cluster.get(simulator, "/metrics").bodyAsString()).stream()
        .allMatch(m -> m.contains("switchboard_cluster_members{kind=\"data\"} 2.0")
          && m.contains("switchboard_cluster_members{kind=\"lite\"} 2.0")), LIVE);
    String chatMetrics = cluster.get(chat, "/metrics").bodyAsString();
    assertThat(chatMetrics).contains("switchboard_role_active{role=\"chat\"} 1.0")
      .contains("switchboard_role_changes_total{change=\"acquired\",role=\"chat\"} 1.0");
    assertThat(cluster.get(simulator, "/metrics").bodyAsString()).contains("switchboard_role_active{role=\"simulator\"} 1.0");
    Waits.until(cluster, "backups in sync", () ->
      cluster.get(chat, "/metrics").bodyAsString().contains("switchboard_cluster_safe 1.0"), LIVE);

    java.util.Set<String> served = new java.util.TreeSet<>();
    for (String body : List.of(cluster.get(one, "/metrics").bodyAsString(), cluster.get(chat, "/metrics").bodyAsString(),
        cluster.get(simulator, "/metrics").bodyAsString())) {
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^(switchboard_[a-z_]+)").matcher(body);
      while (m.find()) {
        served.add(m.group(1));
      }
    }
    java.nio.file.Path docs = TestCluster.ROOT.resolve("docs");
    String operations = java.nio.file.Files.readString(docs.resolve("operations.md"));
    String alerts = operations.substring(operations.indexOf("## Alerts"), operations.indexOf("## Scraping"));
    java.util.Set<String> named = new java.util.TreeSet<>();
    for (String text : List.of(java.nio.file.Files.readString(docs.resolve("grafana-dashboard.json")), alerts)) {
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("switchboard_[a-z_]+").matcher(text);
      while (m.find()) {
        named.add(m.group());
      }
    }
    assertThat(named).contains("switchboard_role_active", "switchboard_cluster_members");
    assertThat(served).containsAll(named);
  }

  /** Each member row's components, as "gateway" or "role:state", from the page. */
  private static List<String> rolesShown(WebDriver driver) {
    return driver.findElements(By.cssSelector("#members tbody td.runs")).stream()
      .map(cell -> cell.getDomAttribute("data-roles")).filter(roles -> roles != null && !roles.isEmpty())
      .flatMap(roles -> List.of(roles.split(" ")).stream()).toList();
  }

  private static String gatewayId(JsonArray nodes, TestCluster.Gateway gateway) {
    return nodes.stream().map(JsonObject.class::cast).filter(n -> n.getInteger("port") == gateway.port())
      .map(n -> n.getString("id")).findFirst().orElseThrow(() -> new AssertionError("no node on port " + gateway.port() + ": " + nodes));
  }
}
