package io.github.switchboard.gateway.web;

import io.github.switchboard.gateway.Await;
import io.github.switchboard.gateway.GatewayHarness;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The chat page (/chat/) in two independent browsers in one room. */
class ChatPageTest {

  static final Duration WAIT = Duration.ofSeconds(8);

  static Vertx vertx;
  static GatewayHarness gateway;
  static ChromeDriver alice;
  static ChromeDriver bob;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    gateway = GatewayHarness.start(vertx);
    List<ChromeDriver> browsers = Browser.startTwo();
    alice = browsers.get(0);
    bob = browsers.get(1);
  }

  @AfterAll
  static void stop() {
    Browser.quit(alice, bob);
    if (gateway != null) {
      gateway.close();
    }
    Await.result(vertx.close());
  }

  static String newRoom() {
    return "web-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** Opens the room and waits for the welcome (the page then shows its connection id). */
  static String enter(WebDriver driver, String room) {
    driver.get(gateway.url() + "/chat/?room=" + room);
    Browser.awaitStatus(driver, "connected", WAIT);
    return Browser.await(driver, WAIT, "welcome", d -> {
      String me = Browser.text(d, "me");
      return me.equals("…") ? null : me;
    });
  }

  static void say(WebDriver driver, String text) {
    WebElement input = driver.findElement(By.id("message"));
    Browser.await(driver, WAIT, "send enabled", d -> d.findElement(By.id("send")).isEnabled());
    input.sendKeys(text);
    input.sendKeys(Keys.ENTER); // the keyboard is enough to send
  }

  static WebElement awaitMessage(WebDriver driver, String text) {
    return Browser.await(driver, WAIT, "message '" + text + "'", d -> d.findElements(By.cssSelector("#messages li.msg"))
      .stream().filter(li -> text.equals(li.findElement(By.cssSelector(".text")).getText())).findFirst().orElse(null));
  }

  /** [r, g, b] of a CSS color such as rgb(15, 83, 35). */
  static int[] rgb(String cssColor) {
    Matcher m = Pattern.compile("(\\d+),\\s*(\\d+),\\s*(\\d+)").matcher(cssColor);
    assertThat(m.find()).as(cssColor).isTrue();
    return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))};
  }

  @Test
  void eachSeesOwnMessagesGreenAndTheOthersRedWithSenders() {
    String room = newRoom();
    String aliceId = enter(alice, room);
    String bobId = enter(bob, room);
    assertThat(aliceId).isNotEqualTo(bobId);

    say(alice, "Hello from Alice");
    awaitMessage(bob, "Hello from Alice");
    say(bob, "Hi Alice! Grüße aus Köln");
    say(alice, "Shall we meet at 5? Bring the slides.");
    say(bob, "Deal.");

    for (String text : List.of("Hello from Alice", "Hi Alice! Grüße aus Köln", "Shall we meet at 5? Bring the slides.", "Deal.")) {
      boolean byAlice = text.startsWith("Hello") || text.startsWith("Shall");
      WebElement inAlice = awaitMessage(alice, text);
      WebElement inBob = awaitMessage(bob, text);
      assertThat(inAlice.getDomAttribute("class")).isEqualTo(byAlice ? "msg own" : "msg other");
      assertThat(inBob.getDomAttribute("class")).isEqualTo(byAlice ? "msg other" : "msg own");
      // Sender names: "You" for one's own, the other's connection id otherwise.
      assertThat(inAlice.findElement(By.cssSelector(".sender")).getText()).isEqualTo(byAlice ? "You" : bobId);
      assertThat(inBob.findElement(By.cssSelector(".sender")).getText()).isEqualTo(byAlice ? aliceId : "You");
    }
    // In seq order, once each, on both pages.
    for (WebDriver driver : List.of(alice, bob)) {
      List<String> seqs = Browser.all(driver, "#messages li.msg").stream().map(li -> li.getDomAttribute("data-seq")).toList();
      assertThat(seqs).containsExactly("1", "2", "3", "4");
    }
    // Green and red, as in the seed app.
    int[] own = rgb(alice.findElement(By.cssSelector("#messages li.own")).getCssValue("color"));
    int[] other = rgb(alice.findElement(By.cssSelector("#messages li.other")).getCssValue("color"));
    assertThat(own[1]).as("own message is green").isGreaterThan(own[0]).isGreaterThan(own[2]);
    assertThat(other[0]).as("other's message is red").isGreaterThan(other[1]).isGreaterThan(other[2]);

    Browser.screenshot(alice, "chat");
    bob.manage().window().setSize(Browser.PHONE);
    try {
      Browser.screenshot(bob, "chat-phone");
    } finally {
      bob.manage().window().setSize(Browser.DESKTOP);
    }
  }

  @Test
  void markupInAMessageIsShownAsTextAndNeverRuns() {
    String room = newRoom();
    enter(alice, room);
    enter(bob, room);
    String attack = "<img src=x onerror=\"window.pwned=1\"><b>bold?</b><script>window.pwned=2</script>";
    say(alice, attack);
    for (WebDriver driver : List.of(alice, bob)) {
      WebElement message = awaitMessage(driver, attack);
      assertThat(message.findElement(By.cssSelector(".text")).getText()).isEqualTo(attack);
      assertThat(Browser.all(driver, "#messages img, #messages b, #messages script")).isEmpty();
      assertThat(Browser.js(driver, "return typeof window.pwned;")).isEqualTo("undefined");
    }
  }

  @Test
  void historyIsLoadedOnEntryAndRoomsArePickedWithTheKeyboard() {
    String room = newRoom();
    assertThat(gateway.post("/api/groups/chat." + room + "/messages", new JsonObject().put("data", "posted before you came"))
      .statusCode()).isEqualTo(202);
    enter(alice, room);
    say(alice, "mine, before Bob came");
    awaitMessage(alice, "mine, before Bob came");

    // Bob picks the room in the form, with the keyboard only.
    bob.get(gateway.url() + "/chat/");
    WebElement roomField = bob.findElement(By.id("room"));
    roomField.clear();
    roomField.sendKeys(room, Keys.ENTER);
    Browser.awaitStatus(bob, "connected", WAIT);
    WebElement fromApi = awaitMessage(bob, "posted before you came");
    assertThat(fromApi.getDomAttribute("class")).isEqualTo("msg other");
    assertThat(fromApi.findElement(By.cssSelector(".sender")).getText()).isEqualTo("API");
    assertThat(awaitMessage(bob, "mine, before Bob came").getDomAttribute("class")).isEqualTo("msg other");
    assertThat(bob.getCurrentUrl()).endsWith("/chat/?room=" + room);

    // Alice reloads: the history shows again, and her message is still hers.
    alice.navigate().refresh();
    Browser.awaitStatus(alice, "connected", WAIT);
    assertThat(awaitMessage(alice, "mine, before Bob came").getDomAttribute("class")).isEqualTo("msg own");
    assertThat(Browser.all(alice, "#messages li.msg")).hasSize(2);

    // An invalid room name is refused in the page, before any connection.
    bob.findElement(By.id("leave")).click();
    roomField.clear();
    roomField.sendKeys("no spaces!", Keys.ENTER);
    assertThat(Browser.text(bob, "join-error")).contains("1 to 64");
    assertThat(bob.findElement(By.id("chat")).isDisplayed()).isFalse();
  }
  @Test
  void aRoomFreedAndOpenedAgainShowsItsNewMessages() {
    // A gateway whose rooms are freed a second after their last message: the next message
    // opens the room again with seq 1, in a new epoch. The page used to hide it (seq 1 was on
    // screen already).
    // Its own Vert.x: two embedded chat services on one event bus would share the rooms' traffic.
    Vertx other = Vertx.vertx();
    GatewayHarness shortLived = GatewayHarness.start(other, new JsonObject()
      .put("chat", new JsonObject().put("historyTtlMs", 1_000)).put("simulator", new JsonObject().put("randomIntervalMs", 60_000)));
    try {
      String room = newRoom();
      alice.get(shortLived.url() + "/chat/?room=" + room);
      Browser.awaitStatus(alice, "connected", WAIT);
      say(alice, "in the first room");
      awaitMessage(alice, "in the first room");
      GatewayHarness.await("the room freed", () -> shortLived.get("/rooms/" + room + "/messages").bodyAsJsonArray().isEmpty());

      say(alice, "in the room opened again");
      WebElement fresh = awaitMessage(alice, "in the room opened again");
      assertThat(fresh.getDomAttribute("data-seq")).isEqualTo("1");
      assertThat(Browser.all(alice, "#messages li.msg")).as("the first room's messages are gone from the page").hasSize(1);
    } finally {
      shortLived.close();
      Await.result(other.close());
    }
  }
}
