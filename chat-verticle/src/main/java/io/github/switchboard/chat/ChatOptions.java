package io.github.switchboard.chat;

import io.github.switchboard.launcher.settings.Settings;
import io.vertx.core.json.JsonObject;

import java.util.Map;

/**
 * Settings of the chat service, read through {@link Settings}: the JSON config (top level of
 * {@code chat-fat.jar}'s {@code -conf}, or the gateway's {@code chat} section when embedded) with
 * {@code SWITCHBOARD_CHAT_*} variables taking precedence ({@code historySize} ->
 * {@code SWITCHBOARD_CHAT_HISTORY_SIZE}). Blank is not set; an invalid value stops start-up.
 *
 * @param historySize      messages kept per room; older ones fall off
 * @param maxMessageLength characters allowed in one message, after control characters are removed
 */
public record ChatOptions(int historySize, int maxMessageLength) {

  public static final int DEFAULT_HISTORY_SIZE = 100;
  public static final int DEFAULT_MAX_MESSAGE_LENGTH = 2000;
  /** The chat keys get their own prefix so that they cannot clash with the gateway's. */
  public static final String ENV_PREFIX = Settings.PREFIX + "CHAT_";

  public ChatOptions {
    if (historySize < 1 || maxMessageLength < 1) {
      throw new IllegalArgumentException("chat historySize and maxMessageLength must be positive, got "
        + historySize + " and " + maxMessageLength);
    }
  }

  public static ChatOptions from(JsonObject config, Map<String, String> env) {
    Settings settings = Settings.of(config, env, ENV_PREFIX);
    return new ChatOptions(
      settings.intIn("historySize", DEFAULT_HISTORY_SIZE, 1, Integer.MAX_VALUE),
      settings.intIn("maxMessageLength", DEFAULT_MAX_MESSAGE_LENGTH, 1, Integer.MAX_VALUE));
  }
}
