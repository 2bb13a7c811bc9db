package io.github.switchboard.simulator;

import io.vertx.core.json.JsonObject;

import java.util.Map;

/**
 * Settings of the simulator, from its JSON config with environment variables taking precedence
 * ({@code SWITCHBOARD_SCORES_MIN_DELAY_MS} and so on).
 */
public final class SimulatorOptions {

  /** Each event changes at a random moment between these two delays after its previous change. */
  public static final long DEFAULT_SCORES_MIN_DELAY_MS = 2_000;
  public static final long DEFAULT_SCORES_MAX_DELAY_MS = 7_000;
  /** The random stream publishes this often. */
  public static final long DEFAULT_RANDOM_INTERVAL_MS = 1_000;

  private final long minDelayMs;
  private final long maxDelayMs;
  private final long randomIntervalMs;

  private SimulatorOptions(long minDelayMs, long maxDelayMs, long randomIntervalMs) {
    if (minDelayMs > maxDelayMs) {
      throw new IllegalArgumentException("simulator config 'scoresMinDelayMs' must not exceed 'scoresMaxDelayMs'");
    }
    this.minDelayMs = minDelayMs;
    this.maxDelayMs = maxDelayMs;
    this.randomIntervalMs = randomIntervalMs;
  }

  public static SimulatorOptions from(JsonObject config, Map<String, String> env) {
    JsonObject c = config == null ? new JsonObject() : config;
    return new SimulatorOptions(
      positive(c, env, "scoresMinDelayMs", "SWITCHBOARD_SCORES_MIN_DELAY_MS", DEFAULT_SCORES_MIN_DELAY_MS),
      positive(c, env, "scoresMaxDelayMs", "SWITCHBOARD_SCORES_MAX_DELAY_MS", DEFAULT_SCORES_MAX_DELAY_MS),
      positive(c, env, "randomIntervalMs", "SWITCHBOARD_RANDOM_INTERVAL_MS", DEFAULT_RANDOM_INTERVAL_MS));
  }

  public long minDelayMs() {
    return minDelayMs;
  }

  public long maxDelayMs() {
    return maxDelayMs;
  }

  public long randomIntervalMs() {
    return randomIntervalMs;
  }

  private static long positive(JsonObject c, Map<String, String> env, String key, String envName, long def) {
    Object raw = env.containsKey(envName) ? env.get(envName) : c.getValue(key);
    if (raw == null) {
      return def;
    }
    try {
      long value = raw instanceof Number n ? n.longValue() : Long.parseLong(raw.toString().strip());
      if (value < 1) {
        throw new NumberFormatException();
      }
      return value;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("simulator config '" + key + "' must be a positive integer, got '" + raw + "'");
    }
  }
}
