package io.github.switchboard.launcher.settings;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SettingsTest {

  @Test
  void environmentNamesAreDerivedFromKeys() {
    Settings top = Settings.of(null, Map.of());
    assertThat(top.envName("writeQueueMaxBytes")).isEqualTo("SWITCHBOARD_WRITE_QUEUE_MAX_BYTES");
    assertThat(top.envName("port")).isEqualTo("SWITCHBOARD_PORT");
    assertThat(top.section("auth").envName("hs256Secret")).isEqualTo("SWITCHBOARD_AUTH_HS256_SECRET");
    assertThat(Settings.of(null, Map.of(), "SWITCHBOARD_CHAT_").envName("historySize"))
      .isEqualTo("SWITCHBOARD_CHAT_HISTORY_SIZE");
  }

  @Test
  void theEnvironmentWinsOverTheConfigAndTheDefaultFillsTheRest() {
    Settings s = Settings.of(new JsonObject().put("port", 9000).put("pingIntervalMs", 500),
      Map.of("SWITCHBOARD_PORT", " 9100 "));
    assertThat(s.intIn("port", 8080, 0, 65535)).isEqualTo(9100);
    assertThat(s.longIn("pingIntervalMs", 30_000, 10, Long.MAX_VALUE)).isEqualTo(500);
    assertThat(s.longIn("drainTimeoutMs", 10_000, 0, Long.MAX_VALUE)).isEqualTo(10_000);
  }

  @Test
  void aBlankValueInEitherPlaceIsNotSet() {
    Settings s = Settings.of(new JsonObject().put("host", "  ").put("port", 9000),
      Map.of("SWITCHBOARD_PORT", "", "SWITCHBOARD_EMBEDDED_SERVICES", "  "));
    assertThat(s.intIn("port", 8080, 0, 65535)).as("blank variable: the config value").isEqualTo(9000);
    assertThat(s.string("host", "0.0.0.0")).isEqualTo("0.0.0.0");
    assertThat(s.bool("embeddedServices", true)).isTrue();
    assertThat(Settings.of(null, Map.of("SWITCHBOARD_CHAT_HISTORY_SIZE", " "), "SWITCHBOARD_CHAT_")
      .intIn("historySize", 100, 1, Integer.MAX_VALUE)).isEqualTo(100);
  }

  @Test
  void anInvalidValueNamesTheKeyTheVariableAndTheValue() {
    Settings s = Settings.of(new JsonObject().put("port", 70000).put("auth", new JsonObject().put("anonymous", "maybe")),
      Map.of("SWITCHBOARD_PING_INTERVAL_MS", "often"));
    assertThatThrownBy(() -> s.intIn("port", 8080, 0, 65535))
      .hasMessageContaining("'port'").hasMessageContaining("SWITCHBOARD_PORT").hasMessageContaining("70000")
      .hasMessageContaining("between 0 and 65535");
    assertThatThrownBy(() -> s.longIn("pingIntervalMs", 1, 1, 10))
      .hasMessageContaining("pingIntervalMs").hasMessageContaining("often").hasMessageContaining("an integer");
    assertThatThrownBy(() -> s.section("auth").bool("anonymous", true))
      .hasMessageContaining("'auth.anonymous'").hasMessageContaining("SWITCHBOARD_AUTH_ANONYMOUS")
      .hasMessageContaining("maybe");
    assertThatThrownBy(() -> Settings.of(new JsonObject().put("n", 1.5), Map.of()).intIn("n", 0, 0, 9))
      .hasMessageContaining("an integer");
    assertThatThrownBy(() -> Settings.of(new JsonObject().put("auth", "x"), Map.of()).section("auth"))
      .hasMessageContaining("an object");
  }

  @Test
  void listsAreArraysInTheConfigAndCommaSeparatedInTheEnvironment() {
    Settings s = Settings.of(new JsonObject().put("allowedOrigins", new JsonArray().add("https://a.example")),
      Map.of("SWITCHBOARD_PRESENCE_GROUPS", "chat.*, team.*"));
    assertThat(s.strings("allowedOrigins", List.of())).containsExactly("https://a.example");
    assertThat(s.strings("presenceGroups", List.of("x"))).containsExactly("chat.*", "team.*");
    assertThat(s.strings("other", List.of("x"))).containsExactly("x");
    assertThatThrownBy(() -> Settings.of(new JsonObject().put("allowedOrigins", "a"), Map.of()).strings("allowedOrigins", List.of()))
      .hasMessageContaining("an array of strings");
  }

  @Test
  void jsonArraysComeAsJsonTextFromTheEnvironment() {
    Settings s = Settings.of(null, Map.of("SWITCHBOARD_GROUPS", "[{\"pattern\":\"*\"}]", "SWITCHBOARD_BAD", "[oops"));
    assertThat(s.array("groups")).hasSize(1);
    assertThat(s.array("missing")).isNull();
    assertThatThrownBy(() -> s.array("bad")).hasMessageContaining("SWITCHBOARD_BAD").hasMessageContaining("a JSON array");
  }

  @Test
  void oneOfAcceptsAnyCaseAndAnswersTheCanonicalSpelling() {
    Settings s = Settings.of(new JsonObject().put("algorithm", "es256").put("other", "HS512"), Map.of());
    assertThat(s.oneOf("algorithm", "RS256", List.of("RS256", "ES256"))).isEqualTo("ES256");
    assertThat(s.oneOf("missing", "RS256", List.of("RS256", "ES256"))).isEqualTo("RS256");
    assertThatThrownBy(() -> s.oneOf("other", "RS256", List.of("RS256", "ES256"))).hasMessageContaining("HS512");
  }
}
