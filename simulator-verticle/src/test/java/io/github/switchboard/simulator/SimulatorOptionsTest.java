package io.github.switchboard.simulator;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SimulatorOptionsTest {

  @Test
  void defaults() {
    for (JsonObject config : new JsonObject[] {null, new JsonObject()}) {
      SimulatorOptions options = SimulatorOptions.from(config, Map.of());
      assertThat(options.minDelayMs()).isEqualTo(2000);
      assertThat(options.maxDelayMs()).isEqualTo(7000);
      assertThat(options.randomIntervalMs()).isEqualTo(1000);
    }
    assertThat(SimulatorOptions.DEFAULT_SCORES_MIN_DELAY_MS).isEqualTo(2000);
    assertThat(SimulatorOptions.DEFAULT_SCORES_MAX_DELAY_MS).isEqualTo(7000);
    assertThat(SimulatorOptions.DEFAULT_RANDOM_INTERVAL_MS).isEqualTo(1000);
  }

  @Test
  void configValues() {
    SimulatorOptions options = SimulatorOptions.from(new JsonObject()
      .put("scoresMinDelayMs", 100).put("scoresMaxDelayMs", "300").put("randomIntervalMs", 50L), Map.of());

    assertThat(options.minDelayMs()).isEqualTo(100);
    assertThat(options.maxDelayMs()).isEqualTo(300);
    assertThat(options.randomIntervalMs()).isEqualTo(50);
  }

  @Test
  void environmentOverridesConfig() {
    JsonObject config = new JsonObject()
      .put("scoresMinDelayMs", 100).put("scoresMaxDelayMs", 300).put("randomIntervalMs", 50);
    Map<String, String> env = Map.of(
      "SWITCHBOARD_SCORES_MIN_DELAY_MS", "10",
      "SWITCHBOARD_SCORES_MAX_DELAY_MS", " 20 ",
      "SWITCHBOARD_RANDOM_INTERVAL_MS", "5");

    SimulatorOptions options = SimulatorOptions.from(config, env);

    assertThat(options.minDelayMs()).isEqualTo(10);
    assertThat(options.maxDelayMs()).isEqualTo(20);
    assertThat(options.randomIntervalMs()).isEqualTo(5);
  }

  @Test
  void environmentOverridesOnlyWhatItSets() {
    SimulatorOptions options = SimulatorOptions.from(new JsonObject().put("scoresMinDelayMs", 100),
      Map.of("SWITCHBOARD_RANDOM_INTERVAL_MS", "250", "UNRELATED", "x"));

    assertThat(options.minDelayMs()).isEqualTo(100);
    assertThat(options.maxDelayMs()).isEqualTo(7000);
    assertThat(options.randomIntervalMs()).isEqualTo(250);
  }

  @Test
  void equalMinAndMaxAreAllowed() {
    SimulatorOptions options = SimulatorOptions.from(
      new JsonObject().put("scoresMinDelayMs", 500).put("scoresMaxDelayMs", 500), Map.of());

    assertThat(options.minDelayMs()).isEqualTo(500);
    assertThat(options.maxDelayMs()).isEqualTo(500);
  }

  @Test
  void minAboveMaxIsRejected() {
    assertThatThrownBy(() -> SimulatorOptions.from(
      new JsonObject().put("scoresMinDelayMs", 501).put("scoresMaxDelayMs", 500), Map.of()))
      .isInstanceOf(IllegalArgumentException.class)
      .hasMessageContaining("scoresMinDelayMs")
      .hasMessageContaining("scoresMaxDelayMs");
  }

  @Test
  void minAboveDefaultMaxIsRejected() {
    assertThatThrownBy(() -> SimulatorOptions.from(null, Map.of("SWITCHBOARD_SCORES_MIN_DELAY_MS", "7001")))
      .isInstanceOf(IllegalArgumentException.class)
      .hasMessageContaining("scoresMinDelayMs");
  }

  @Test
  void minAboveMaxFromEnvironmentIsRejectedEvenIfConfigIsFine() {
    JsonObject config = new JsonObject().put("scoresMinDelayMs", 100).put("scoresMaxDelayMs", 300);

    assertThatThrownBy(() -> SimulatorOptions.from(config, Map.of("SWITCHBOARD_SCORES_MAX_DELAY_MS", "99")))
      .isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @CsvSource({
    "scoresMinDelayMs, fast",
    "scoresMaxDelayMs, 7s",
    "randomIntervalMs, 1.5",
    "scoresMinDelayMs, 0",
    "scoresMaxDelayMs, -5",
    "randomIntervalMs, 99999999999999999999"})
  void badConfigValueIsRejectedNamingTheKey(String key, String value) {
    assertThatThrownBy(() -> SimulatorOptions.from(new JsonObject().put(key, value), Map.of()))
      .isInstanceOf(IllegalArgumentException.class)
      .hasMessageContaining("'" + key + "'")
      .hasMessageContaining(value);
  }

  @ParameterizedTest
  @CsvSource({
    "SWITCHBOARD_SCORES_MIN_DELAY_MS, scoresMinDelayMs, soon",
    "SWITCHBOARD_SCORES_MAX_DELAY_MS, scoresMaxDelayMs, 0x10",
    "SWITCHBOARD_RANDOM_INTERVAL_MS, randomIntervalMs, 0"})
  void badEnvironmentValueIsRejectedNamingTheKey(String envName, String key, String value) {
    assertThatThrownBy(() -> SimulatorOptions.from(new JsonObject().put(key, 100), Map.of(envName, value)))
      .isInstanceOf(IllegalArgumentException.class)
      .hasMessageContaining("'" + key + "'")
      .hasMessageContaining(envName)
      .hasMessageContaining(value);
  }

  @Test
  void blankValuesAreNotSet() {
    SimulatorOptions options = SimulatorOptions.from(
      new JsonObject().put("scoresMinDelayMs", " ").put("randomIntervalMs", 250),
      Map.of("SWITCHBOARD_SCORES_MAX_DELAY_MS", "", "SWITCHBOARD_RANDOM_INTERVAL_MS", "  "));

    assertThat(options.minDelayMs()).isEqualTo(SimulatorOptions.DEFAULT_SCORES_MIN_DELAY_MS);
    assertThat(options.maxDelayMs()).isEqualTo(SimulatorOptions.DEFAULT_SCORES_MAX_DELAY_MS);
    assertThat(options.randomIntervalMs()).as("a blank variable leaves the config value").isEqualTo(250);
  }

  @Test
  void minAboveMaxNamesBothVariables() {
    assertThatThrownBy(() -> SimulatorOptions.from(null, Map.of("SWITCHBOARD_SCORES_MIN_DELAY_MS", "7001")))
      .hasMessageContaining("SWITCHBOARD_SCORES_MIN_DELAY_MS")
      .hasMessageContaining("SWITCHBOARD_SCORES_MAX_DELAY_MS");
  }

  @Test
  void optionsAreValuesThatRefuseNonsense() {
    assertThat(new SimulatorOptions(1, 2, 3)).isEqualTo(new SimulatorOptions(1, 2, 3));
    assertThatThrownBy(() -> new SimulatorOptions(3, 2, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SimulatorOptions(1, 2, 0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void nonNumericConfigTypesAreRejected() {
    assertThatThrownBy(() -> SimulatorOptions.from(new JsonObject().put("scoresMaxDelayMs", true), Map.of()))
      .isInstanceOf(IllegalArgumentException.class)
      .hasMessageContaining("scoresMaxDelayMs");
    assertThatThrownBy(() -> SimulatorOptions.from(
      new JsonObject().put("randomIntervalMs", new JsonObject().put("ms", 5)), Map.of()))
      .isInstanceOf(IllegalArgumentException.class)
      .hasMessageContaining("randomIntervalMs");
  }
}
