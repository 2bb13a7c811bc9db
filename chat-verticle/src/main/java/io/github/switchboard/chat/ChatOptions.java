package io.github.switchboard.chat;

import io.github.switchboard.coordination.history.HistoryFileOptions;
import io.github.switchboard.coordination.history.HistoryPolicy;
import io.github.switchboard.launcher.settings.Settings;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.util.Map;

/**
 * Settings of the chat service, read through {@link Settings}: the JSON config (top level of
 * {@code chat-fat.jar}'s {@code -conf}, or the gateway's {@code chat} section when embedded) with
 * {@code SWITCHBOARD_CHAT_*} variables taking precedence ({@code historySize} ->
 * {@code SWITCHBOARD_CHAT_HISTORY_SIZE}). Blank is not set; an invalid value stops start-up.
 *
 * @param historySize      messages kept per room; older ones fall off
 * @param maxMessageLength characters allowed in one message, after control characters are removed
 * @param historyTtlMs     a room with no message for this long is freed: its history goes and its
 *                         seq starts again at 1
 * @param maxRooms         rooms with a history at once, in the whole cluster (or the embedded
 *                         process); a message that would open one more is refused with
 *                         {@code limit_reached} until rooms expire
 * @param historyFiles     embedded mode: where the rooms' history file is kept (the embedding
 *                         gateway sets it from its {@code dataDir}); null: memory only
 */
public record ChatOptions(int historySize, int maxMessageLength, long historyTtlMs, int maxRooms,
                          HistoryFileOptions historyFiles) {

  public static final int DEFAULT_HISTORY_SIZE = 100;
  public static final int DEFAULT_MAX_MESSAGE_LENGTH = 2000;
  public static final long DEFAULT_HISTORY_TTL_MS = 24L * 60 * 60 * 1000;
  public static final int DEFAULT_MAX_ROOMS = 100_000;
  /** The chat keys get their own prefix so that they cannot clash with the gateway's. */
  public static final String ENV_PREFIX = Settings.PREFIX + "CHAT_";

  public ChatOptions {
    if (historySize < 1 || maxMessageLength < 1 || historyTtlMs < 1 || maxRooms < 1) {
      throw new IllegalArgumentException("chat historySize, maxMessageLength, historyTtlMs and maxRooms must be positive,"
        + " got " + historySize + ", " + maxMessageLength + ", " + historyTtlMs + " and " + maxRooms);
    }
  }

  /** What each room keeps. */
  public HistoryPolicy historyPolicy() {
    return new HistoryPolicy(historySize, historyTtlMs);
  }

  public static ChatOptions from(JsonObject config, Map<String, String> env) {
    Settings settings = Settings.of(config, env, ENV_PREFIX);
    return new ChatOptions(
      settings.intIn("historySize", DEFAULT_HISTORY_SIZE, 1, Integer.MAX_VALUE),
      settings.intIn("maxMessageLength", DEFAULT_MAX_MESSAGE_LENGTH, 1, Integer.MAX_VALUE),
      settings.longIn("historyTtlMs", DEFAULT_HISTORY_TTL_MS, 1_000, Long.MAX_VALUE / 1_000_000),
      settings.intIn("maxRooms", DEFAULT_MAX_ROOMS, 1, Integer.MAX_VALUE),
      historyFiles(settings.object("historyFiles")));
  }

  /** {@code {"dir": "...", "fsync": false}}, or none. */
  private static HistoryFileOptions historyFiles(JsonObject files) {
    if (files == null || files.isEmpty()) {
      return null;
    }
    Object dir = files.getValue("dir");
    Object fsync = files.getValue("fsync", false);
    if (!(dir instanceof String path) || path.isBlank() || !(fsync instanceof Boolean force)) {
      throw new IllegalArgumentException("chat historyFiles must be {\"dir\": <directory>, \"fsync\": <boolean>}, got "
        + files.encode());
    }
    return new HistoryFileOptions(Path.of(path), force);
  }
}
