package io.github.switchboard.gateway.config;

import io.github.switchboard.gateway.auth.GroupPolicy;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GatewayOptionsTest {

  @Test
  void defaultsApplyWhenNothingIsSet() {
    GatewayOptions options = GatewayOptions.from(new JsonObject(), Map.of());
    assertThat(options.server().port()).isEqualTo(ServerOptions.DEFAULT_PORT);
    assertThat(options.socket().pingIntervalMs()).isEqualTo(30_000);
    assertThat(options.socket().maxFrameBytes()).isEqualTo(64 * 1024);
    assertThat(options.services().embedded()).isTrue();
    assertThat(options.socket().flushDelayMs()).isZero();
    assertThat(options.streams().gapWaitMs()).isEqualTo(StreamOptions.DEFAULT_GAP_WAIT_MS);
    assertThat(options.streams().positionCheckMs()).isEqualTo(StreamOptions.DEFAULT_POSITION_CHECK_MS);
    assertThat(options.streams().maxStreams()).isEqualTo(100_000);
    assertThat(options.access().groups()).isEqualTo(AccessOptions.DEFAULT_GROUPS);
    assertThat(options.access().apiKey()).isNull();
    assertThat(options.presence().groups()).containsExactly("chat.*");
    assertThat(options.auth().enabled()).isFalse();
    assertThat(options.server().httpRequestTimeoutMs()).isEqualTo(10_000);
    assertThat(options.server().httpIdleTimeoutMs()).isEqualTo(60_000);
    assertThat(options.server().maxRequestsPerConnection()).isEqualTo(1_000);
    assertThat(options).isEqualTo(GatewayOptions.defaults());
  }

  @Test
  void environmentOverridesJson() {
    GatewayOptions options = GatewayOptions.from(new JsonObject().put("port", 9000).put("maxFrameBytes", 1000)
        .put("auth", new JsonObject().put("issuer", "from-json")),
      Map.of("SWITCHBOARD_PORT", "9100", "SWITCHBOARD_EMBEDDED_SERVICES", "false",
        "SWITCHBOARD_GROUPS", "[{\"pattern\":\"team.*\",\"subscribe\":true,\"publish\":true}]",
        "SWITCHBOARD_AUTH_ISSUER", "from-env", "SWITCHBOARD_ALLOWED_ORIGINS", "https://a.example, https://b.example"));
    assertThat(options.server().port()).isEqualTo(9100);
    assertThat(options.socket().maxFrameBytes()).isEqualTo(1000);
    assertThat(options.services().embedded()).isFalse();
    assertThat(options.access().groups()).containsExactly(new GroupRule("team.*", true, true));
    assertThat(options.auth().issuer()).isEqualTo("from-env");
    assertThat(options.access().allowedOrigins()).containsExactly("https://a.example", "https://b.example");
  }

  @Test
  void blankValuesAreNotSetWhereverTheyAre() {
    GatewayOptions options = GatewayOptions.from(new JsonObject().put("apiKey", " ").put("host", ""),
      Map.of("SWITCHBOARD_PORT", "", "SWITCHBOARD_AUTH_HS256_SECRET", "  "));
    assertThat(options.server().port()).isEqualTo(ServerOptions.DEFAULT_PORT);
    assertThat(options.server().host()).isEqualTo(ServerOptions.DEFAULT_HOST);
    assertThat(options.access().apiKey()).isNull();
    assertThat(options.auth().enabled()).isFalse();
    assertThat(options.server().httpRequestTimeoutMs()).isEqualTo(10_000);
    assertThat(options.server().httpIdleTimeoutMs()).isEqualTo(60_000);
    assertThat(options.server().maxRequestsPerConnection()).isEqualTo(1_000);
  }

  @Test
  void theHardFrameCapIsNeverBelowTheMessageLimit() {
    GatewayOptions options = GatewayOptions.from(new JsonObject().put("maxFrameBytes", 5000).put("frameHardLimitBytes", 1000), Map.of());
    assertThat(options.socket().frameHardLimitBytes()).isEqualTo(5000);
  }

  @Test
  void invalidValuesNameTheSettingAndItsVariable() {
    assertThatThrownBy(() -> GatewayOptions.from(new JsonObject().put("port", 70000), Map.of()))
      .hasMessageContaining("port").hasMessageContaining("SWITCHBOARD_PORT").hasMessageContaining("70000");
    assertThatThrownBy(() -> GatewayOptions.from(new JsonObject(), Map.of("SWITCHBOARD_PING_INTERVAL_MS", "often")))
      .hasMessageContaining("pingIntervalMs").hasMessageContaining("often");
    assertThatThrownBy(() -> GatewayOptions.from(new JsonObject(), Map.of("SWITCHBOARD_FLUSH_DELAY_MS", "5000")))
      .hasMessageContaining("flushDelayMs").hasMessageContaining("5000");
    assertThat(GatewayOptions.from(new JsonObject(), Map.of("SWITCHBOARD_FLUSH_DELAY_MS", "20")).socket().flushDelayMs()).isEqualTo(20);
    assertThatThrownBy(() -> GatewayOptions.from(new JsonObject().put("embeddedServices", "maybe"), Map.of()))
      .hasMessageContaining("embeddedServices");
    assertThatThrownBy(() -> GatewayOptions.from(new JsonObject().put("groups", new JsonArray()
      .add(new JsonObject().put("pattern", "a*b"))), Map.of()))
      .hasMessageContaining("a*b").hasMessageContaining("SWITCHBOARD_GROUPS");
    assertThatThrownBy(() -> GatewayOptions.from(new JsonObject().put("groups", new JsonArray()
      .add(new JsonObject().put("pattern", "team.*").put("subscribe", "yes"))), Map.of()))
      .hasMessageContaining("groups");
    assertThatThrownBy(() -> GatewayOptions.from(new JsonObject(), Map.of("SWITCHBOARD_AUTH_PUBLIC_KEY_ALGORITHM", "HS512")))
      .hasMessageContaining("auth.publicKeyAlgorithm").hasMessageContaining("HS512");
    assertThatThrownBy(() -> GatewayOptions.from(new JsonObject().put("presenceGroups", new JsonArray().add("a*b")), Map.of()))
      .hasMessageContaining("a*b");
  }

  @Test
  void theApiKeyIsNeverPrinted() {
    GatewayOptions options = GatewayOptions.from(new JsonObject().put("apiKey", "s3cret")
      .put("auth", new JsonObject().put("hs256Secret", "hush")), Map.of());
    assertThat(options.toString()).doesNotContain("s3cret").doesNotContain("hush");
  }

  @Test
  void firstMatchingRuleDecides() {
    GroupPolicy policy = new GroupPolicy(AccessOptions.DEFAULT_GROUPS);
    assertThat(policy.maySubscribe("scores")).isTrue();
    assertThat(policy.mayPublish("scores")).isFalse();
    assertThat(policy.mayPublish("random")).isFalse();
    assertThat(policy.mayPublish("chat.lobby")).isTrue();
    assertThat(policy.mayPublish("anything")).isTrue();
    GroupPolicy strict = new GroupPolicy(List.of(new GroupRule("public.*", true, false)));
    assertThat(strict.maySubscribe("public.news")).isTrue();
    assertThat(strict.maySubscribe("private")).isFalse();
  }
}
