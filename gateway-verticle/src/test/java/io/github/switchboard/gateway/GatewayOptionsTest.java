package io.github.switchboard.gateway;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GatewayOptionsTest {

  @Test
  void defaultsApplyWhenNothingIsSet() {
    GatewayOptions options = GatewayOptions.from(new JsonObject(), Map.of());
    assertThat(options.port()).isEqualTo(GatewayOptions.DEFAULT_PORT);
    assertThat(options.pingIntervalMs()).isEqualTo(30_000);
    assertThat(options.maxFrameBytes()).isEqualTo(64 * 1024);
    assertThat(options.embeddedServices()).isTrue();
    assertThat(options.flushDelayMs()).isZero();
    assertThat(options.registrationSettleMs()).isEqualTo(250);
    assertThat(options.groups()).isEqualTo(GatewayOptions.DEFAULT_GROUPS);
  }

  @Test
  void environmentOverridesJson() {
    GatewayOptions options = GatewayOptions.from(new JsonObject().put("port", 9000).put("maxFrameBytes", 1000),
      Map.of("SWITCHBOARD_PORT", "9100", "SWITCHBOARD_EMBEDDED_SERVICES", "false",
        "SWITCHBOARD_GROUPS", "[{\"pattern\":\"team.*\",\"subscribe\":true,\"publish\":true}]"));
    assertThat(options.port()).isEqualTo(9100);
    assertThat(options.maxFrameBytes()).isEqualTo(1000);
    assertThat(options.embeddedServices()).isFalse();
    assertThat(options.groups()).containsExactly(new GroupRule("team.*", true, true));
  }

  @Test
  void envNamesAreDerivedFromKeys() {
    assertThat(GatewayOptions.envName("writeQueueMaxBytes")).isEqualTo("SWITCHBOARD_WRITE_QUEUE_MAX_BYTES");
    assertThat(GatewayOptions.envName("port")).isEqualTo("SWITCHBOARD_PORT");
  }

  @Test
  void invalidValuesNameTheSetting() {
    assertThatThrownBy(() -> GatewayOptions.from(new JsonObject().put("port", 70000), Map.of()))
      .hasMessageContaining("port").hasMessageContaining("70000");
    assertThatThrownBy(() -> GatewayOptions.from(new JsonObject(), Map.of("SWITCHBOARD_PING_INTERVAL_MS", "often")))
      .hasMessageContaining("pingIntervalMs").hasMessageContaining("often");
    assertThatThrownBy(() -> GatewayOptions.from(new JsonObject(), Map.of("SWITCHBOARD_FLUSH_DELAY_MS", "5000")))
      .hasMessageContaining("flushDelayMs").hasMessageContaining("5000");
    assertThat(GatewayOptions.from(new JsonObject(), Map.of("SWITCHBOARD_FLUSH_DELAY_MS", "20")).flushDelayMs()).isEqualTo(20);
    assertThatThrownBy(() -> GatewayOptions.from(new JsonObject().put("embeddedServices", "maybe"), Map.of()))
      .hasMessageContaining("embeddedServices");
    assertThatThrownBy(() -> GatewayOptions.from(new JsonObject().put("groups", new io.vertx.core.json.JsonArray()
      .add(new JsonObject().put("pattern", "a*b"))), Map.of()))
      .hasMessageContaining("a*b");
  }

  @Test
  void firstMatchingRuleDecides() {
    GroupPolicy policy = new GroupPolicy(GatewayOptions.DEFAULT_GROUPS);
    assertThat(policy.maySubscribe("scores")).isTrue();
    assertThat(policy.mayPublish("scores")).isFalse();
    assertThat(policy.mayPublish("random")).isFalse();
    assertThat(policy.mayPublish("chat.lobby")).isTrue();
    assertThat(policy.mayPublish("anything")).isTrue();
    GroupPolicy strict = new GroupPolicy(java.util.List.of(new GroupRule("public.*", true, false)));
    assertThat(strict.maySubscribe("public.news")).isTrue();
    assertThat(strict.maySubscribe("private")).isFalse();
  }
}
