package io.github.switchboard.chat;

import io.vertx.core.json.JsonObject;

import java.util.Map;

/**
 * Settings of the chat service, from its JSON config with environment variables taking
 * precedence ({@code SWITCHBOARD_CHAT_HISTORY_SIZE}, {@code SWITCHBOARD_CHAT_MAX_MESSAGE_LENGTH}).
 */
public final class ChatOptions {

  /** Messages kept per room; older ones fall off. */
  public static final int DEFAULT_HISTORY_SIZE = 100;
  /** Characters allowed in one message, after control characters are removed. */
  public static final int DEFAULT_MAX_MESSAGE_LENGTH = 2000;

  private final int historySize;
  private final int maxMessageLength;

  private ChatOptions(int historySize, int maxMessageLength) {
    this.historySize = historySize;
    this.maxMessageLength = maxMessageLength;
  }

  public static ChatOptions from(JsonObject config, Map<String, String> env) {
    JsonObject c = config == null ? new JsonObject() : config;
    return new ChatOptions(
      positive(c, env, "historySize", "SWITCHBOARD_CHAT_HISTORY_SIZE", DEFAULT_HISTORY_SIZE),
      positive(c, env, "maxMessageLength", "SWITCHBOARD_CHAT_MAX_MESSAGE_LENGTH", DEFAULT_MAX_MESSAGE_LENGTH));
  }

  public int historySize() {
    return historySize;
  }

  public int maxMessageLength() {
    return maxMessageLength;
  }

  private static int positive(JsonObject c, Map<String, String> env, String key, String envName, int def) {
    Object raw = env.containsKey(envName) ? env.get(envName) : c.getValue(key);
    if (raw == null) {
      return def;
    }
    try {
      int value = raw instanceof Number n ? n.intValue() : Integer.parseInt(raw.toString().strip());
      if (value < 1) {
        throw new NumberFormatException();
      }
      return value;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("chat config '" + key + "' must be a positive integer, got '" + raw + "'");
    }
  }
}
