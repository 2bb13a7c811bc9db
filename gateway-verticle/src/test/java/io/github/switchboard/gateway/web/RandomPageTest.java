package io.github.switchboard.gateway.web;

import io.github.switchboard.gateway.Await;
import io.github.switchboard.gateway.GatewayHarness;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The random numbers page (/random/), like the Django page of the seed app. */
class RandomPageTest {

  static Vertx vertx;
  static GatewayHarness gateway;
  static ChromeDriver driver;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    gateway = GatewayHarness.start(vertx);
    driver = Browser.start();
  }

  @AfterAll
  static void stop() {
    Browser.quit(driver);
    if (gateway != null) {
      gateway.close();
    }
    Await.result(vertx.close());
  }

  @Test
  void startShowsANewNumberEverySecond() {
    driver.get(gateway.url() + "/random/");
    assertThat(Browser.text(driver, "status")).isEqualTo("disconnected");
    assertThat(Browser.text(driver, "number")).isEqualTo("–");
    driver.findElement(By.id("start")).click();
    Browser.awaitStatus(driver, "connected", Duration.ofSeconds(5));
    // One number a second: three updates within 6 s of connecting. Three draws from 0..100 may
    // repeat, so this counts updates, not distinct values.
    Browser.await(driver, Duration.ofSeconds(6), "three numbers", d -> Integer.parseInt(Browser.text(d, "count")) >= 3);
    List<Integer> recent = Browser.all(driver, "#recent li").stream().map(WebElement::getText).map(Integer::parseInt).toList();
    assertThat(recent).hasSizeGreaterThanOrEqualTo(3).allSatisfy(n -> assertThat(n).isBetween(0, 100));
    assertThat(Integer.parseInt(Browser.text(driver, "number"))).isEqualTo(recent.get(0));
    Browser.screenshot(driver, "random");

    driver.findElement(By.id("stop")).click();
    Browser.awaitStatus(driver, "disconnected", Duration.ofSeconds(3));
    assertThat(driver.findElement(By.id("start")).isEnabled()).isTrue();
    assertThat(driver.findElement(By.id("stop")).isEnabled()).isFalse();
  }
}
