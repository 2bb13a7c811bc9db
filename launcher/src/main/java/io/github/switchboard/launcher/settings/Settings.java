package io.github.switchboard.launcher.settings;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The one way every process reads its settings: a JSON object (its {@code -conf}, or a section
 * of it) and the environment, with the same rules for every key of every module.
 *
 * <ul>
 *   <li>The environment variable of a key is derived from it: the prefix, then the key in upper
 *   snake case ({@code writeQueueMaxBytes} -> {@code SWITCHBOARD_WRITE_QUEUE_MAX_BYTES};
 *   {@code hs256Secret} in section {@code auth} -> {@code SWITCHBOARD_AUTH_HS256_SECRET}).</li>
 *   <li>The environment variable wins over the JSON value.</li>
 *   <li>A blank value, in either place, counts as not set: the default applies. A container
 *   template that leaves {@code SWITCHBOARD_PORT=} empty behaves like one without it.</li>
 *   <li>A value that is set but invalid stops start-up with an {@link IllegalArgumentException}
 *   naming the key, its variable, the value and what was expected. Nothing is silently
 *   replaced by a default.</li>
 * </ul>
 *
 * <p>Immutable; reads nothing but the two maps it was given, so tests pass their own.
 */
public final class Settings {

  /** Prefix of every Switchboard environment variable. */
  public static final String PREFIX = "SWITCHBOARD_";

  private final JsonObject config;
  private final Map<String, String> env;
  private final String envPrefix;
  /** Where a key sits in the config, for messages: "" at the top, "auth." in a section. */
  private final String path;

  private Settings(JsonObject config, Map<String, String> env, String envPrefix, String path) {
    this.config = config == null ? new JsonObject() : config;
    this.env = env == null ? Map.of() : env;
    this.envPrefix = envPrefix;
    this.path = path;
  }

  /** Top-level settings of a process, with {@code SWITCHBOARD_} variables. */
  public static Settings of(JsonObject config, Map<String, String> env) {
    return new Settings(config, env, PREFIX, "");
  }

  /** Settings whose variables have their own prefix (e.g. {@code SWITCHBOARD_CHAT_} for chat). */
  public static Settings of(JsonObject config, Map<String, String> env, String envPrefix) {
    return new Settings(config, env, envPrefix, "");
  }

  /**
   * The nested object {@code key}, its variables prefixed with the key ({@code auth} ->
   * {@code SWITCHBOARD_AUTH_...}). A missing object is an empty section.
   */
  public Settings section(String key) {
    return new Settings(object(key), env, envName(key) + "_", path + key + ".");
  }

  /** {@code maxFrameBytes} -> {@code SWITCHBOARD_MAX_FRAME_BYTES} (with this reader's prefix). */
  public String envName(String key) {
    return envPrefix + key.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
  }

  /** Derives a variable name under the default prefix. */
  public static String defaultEnvName(String key) {
    return of(null, null).envName(key);
  }

  /** An integer in {@code [min, max]}. */
  public int intIn(String key, int def, int min, int max) {
    return (int) longIn(key, def, min, max);
  }

  /** An integer in {@code [min, max]}. */
  public long longIn(String key, long def, long min, long max) {
    Object raw = raw(key);
    if (raw == null) {
      return def;
    }
    long value;
    try {
      if (raw instanceof Number n) {
        if (n.doubleValue() != Math.rint(n.doubleValue())) {
          throw new NumberFormatException();
        }
        value = n.longValue();
      } else {
        value = Long.parseLong(raw.toString().strip());
      }
    } catch (NumberFormatException e) {
      throw invalid(key, raw, "an integer");
    }
    if (value < min || value > max) {
      throw invalid(key, raw, "between " + min + " and " + max);
    }
    return value;
  }

  /** {@code true} or {@code false} (any case). */
  public boolean bool(String key, boolean def) {
    Object raw = raw(key);
    if (raw == null) {
      return def;
    }
    if (raw instanceof Boolean b) {
      return b;
    }
    String s = raw.toString().strip().toLowerCase(Locale.ROOT);
    if (s.equals("true") || s.equals("false")) {
      return Boolean.parseBoolean(s);
    }
    throw invalid(key, raw, "true or false");
  }

  /** A string, stripped; {@code def} when not set. */
  public String string(String key, String def) {
    Object raw = raw(key);
    if (raw == null) {
      return def;
    }
    if (raw instanceof JsonObject || raw instanceof JsonArray) {
      throw invalid(key, raw, "a string");
    }
    return raw.toString().strip();
  }

  /** One of the given values, compared without case; returned as written in {@code allowed}. */
  public String oneOf(String key, String def, List<String> allowed) {
    String value = string(key, null);
    if (value == null) {
      return def;
    }
    for (String candidate : allowed) {
      if (candidate.equalsIgnoreCase(value)) {
        return candidate;
      }
    }
    throw invalid(key, value, "one of " + allowed);
  }

  /**
   * A list of strings: a JSON array of strings in the config, a comma-separated list in the
   * environment (easier to write there). {@code def} when not set.
   */
  public List<String> strings(String key, List<String> def) {
    String fromEnv = fromEnv(key);
    if (fromEnv != null) {
      return List.of(fromEnv.split("\\s*,\\s*"));
    }
    Object raw = fromConfig(key);
    if (raw == null) {
      return def;
    }
    if (!(raw instanceof JsonArray array) || !array.stream().allMatch(String.class::isInstance)) {
      throw invalid(key, raw, "an array of strings");
    }
    return array.stream().map(String.class::cast).toList();
  }

  /**
   * A JSON array: as it is in the config, as JSON text in the environment; null when not set.
   */
  public JsonArray array(String key) {
    String fromEnv = fromEnv(key);
    if (fromEnv != null) {
      try {
        return new JsonArray(fromEnv);
      } catch (DecodeException e) {
        throw invalid(key, fromEnv, "a JSON array");
      }
    }
    Object raw = fromConfig(key);
    if (raw == null) {
      return null;
    }
    if (!(raw instanceof JsonArray array)) {
      throw invalid(key, raw, "a JSON array");
    }
    return array;
  }

  /** The nested object {@code key} as it is in the config (no environment); empty when missing. */
  public JsonObject object(String key) {
    Object raw = config.getValue(key);
    if (raw == null) {
      return new JsonObject();
    }
    if (!(raw instanceof JsonObject object)) {
      throw invalid(key, raw, "an object");
    }
    return object.copy();
  }

  /** An error for a value that breaks a rule the reader cannot check itself (e.g. min <= max). */
  public IllegalArgumentException invalid(String key, Object value, String expected) {
    return new IllegalArgumentException("setting '" + path + key + "' (" + envName(key) + ") must be " + expected
      + ", got '" + value + "'");
  }

  /** The value from the environment, else from the config; null when neither is set or blank. */
  private Object raw(String key) {
    String fromEnv = fromEnv(key);
    return fromEnv != null ? fromEnv : fromConfig(key);
  }

  private String fromEnv(String key) {
    String value = env.get(envName(key));
    return value == null || value.isBlank() ? null : value.strip();
  }

  private Object fromConfig(String key) {
    Object value = config.getValue(key);
    if (value instanceof String s && s.isBlank()) {
      return null;
    }
    return value;
  }
}
