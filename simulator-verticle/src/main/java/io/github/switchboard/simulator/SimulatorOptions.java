package io.github.switchboard.simulator;

import io.github.switchboard.launcher.settings.Settings;
import io.vertx.core.json.JsonObject;

import java.util.Map;

/**
 * Settings of the simulator, read through {@link Settings}: the JSON config (top level of
 * {@code simulator-fat.jar}'s {@code -conf}, or the gateway's {@code simulator} section when
 * embedded) with top-level {@code SWITCHBOARD_*} variables taking precedence
 * ({@code scoresMinDelayMs} -> {@code SWITCHBOARD_SCORES_MIN_DELAY_MS}). Blank is not set; an
 * invalid value stops start-up.
 *
 * @param minDelayMs       shortest delay between two changes of one event ({@code scoresMinDelayMs})
 * @param maxDelayMs       longest delay between two changes of one event ({@code scoresMaxDelayMs})
 * @param randomIntervalMs period of the random stream ({@code randomIntervalMs})
 */
public record SimulatorOptions(long minDelayMs, long maxDelayMs, long randomIntervalMs) {

  /** Each event changes at a random moment between these two delays after its previous change. */
  public static final long DEFAULT_SCORES_MIN_DELAY_MS = 2_000;
  public static final long DEFAULT_SCORES_MAX_DELAY_MS = 7_000;
  /** The random stream publishes this often. */
  public static final long DEFAULT_RANDOM_INTERVAL_MS = 1_000;

  public SimulatorOptions {
    if (minDelayMs < 1 || randomIntervalMs < 1 || minDelayMs > maxDelayMs) {
      throw new IllegalArgumentException("simulator delays must be positive with scoresMinDelayMs <= scoresMaxDelayMs, got "
        + minDelayMs + ", " + maxDelayMs + ", " + randomIntervalMs);
    }
  }

  public static SimulatorOptions from(JsonObject config, Map<String, String> env) {
    Settings settings = Settings.of(config, env);
    long min = settings.longIn("scoresMinDelayMs", DEFAULT_SCORES_MIN_DELAY_MS, 1, Long.MAX_VALUE);
    long max = settings.longIn("scoresMaxDelayMs", DEFAULT_SCORES_MAX_DELAY_MS, 1, Long.MAX_VALUE);
    if (min > max) {
      // Checked here rather than only in the constructor so that the message names both
      // settings and their variables, whichever of the two places they came from.
      throw settings.invalid("scoresMinDelayMs", min,
        "at most scoresMaxDelayMs (" + settings.envName("scoresMaxDelayMs") + ") = " + max);
    }
    return new SimulatorOptions(min, max,
      settings.longIn("randomIntervalMs", DEFAULT_RANDOM_INTERVAL_MS, 1, Long.MAX_VALUE));
  }
}
