package io.github.switchboard.chat;

import io.github.switchboard.coordination.history.HistoryPolicy;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChatOptionsTest {

  @Test
  void defaults() {
    for (JsonObject config : new JsonObject[] {null, new JsonObject()}) {
      assertThat(ChatOptions.from(config, Map.of()))
        .isEqualTo(new ChatOptions(ChatOptions.DEFAULT_HISTORY_SIZE, ChatOptions.DEFAULT_MAX_MESSAGE_LENGTH,
          ChatOptions.DEFAULT_HISTORY_TTL_MS, ChatOptions.DEFAULT_MAX_ROOMS, null));
    }
    assertThat(ChatOptions.DEFAULT_HISTORY_SIZE).isEqualTo(100);
    assertThat(ChatOptions.DEFAULT_MAX_MESSAGE_LENGTH).isEqualTo(2000);
    assertThat(ChatOptions.DEFAULT_HISTORY_TTL_MS).isEqualTo(86_400_000L);
    assertThat(ChatOptions.DEFAULT_MAX_ROOMS).isEqualTo(100_000);
  }

  @Test
  void theChatPrefixedVariablesWinOverTheConfig() {
    ChatOptions options = ChatOptions.from(new JsonObject().put("historySize", 50).put("maxMessageLength", "300"),
      Map.of("SWITCHBOARD_CHAT_HISTORY_SIZE", " 500 ", "SWITCHBOARD_HISTORY_SIZE", "7"));

    assertThat(options.historySize()).isEqualTo(500);
    assertThat(options.maxMessageLength()).isEqualTo(300);
    assertThat(ChatOptions.from(null, Map.of("SWITCHBOARD_CHAT_HISTORY_TTL_MS", "5000", "SWITCHBOARD_CHAT_MAX_ROOMS", "7"))
      .historyPolicy()).isEqualTo(new HistoryPolicy(100, 5000));
  }

  @Test
  void aBlankVariableIsNotSet() {
    // It used to stop start-up; a template that leaves the variable empty now gets the default.
    assertThat(ChatOptions.from(null, Map.of("SWITCHBOARD_CHAT_HISTORY_SIZE", "")).historySize()).isEqualTo(100);
    assertThat(ChatOptions.from(new JsonObject().put("historySize", 42), Map.of("SWITCHBOARD_CHAT_HISTORY_SIZE", "  "))
      .historySize()).isEqualTo(42);
    assertThat(ChatOptions.from(new JsonObject().put("maxMessageLength", " "), Map.of()).maxMessageLength())
      .isEqualTo(2000);
  }

  @ParameterizedTest
  @CsvSource({
    "SWITCHBOARD_CHAT_HISTORY_SIZE, historySize, lots",
    "SWITCHBOARD_CHAT_HISTORY_SIZE, historySize, 0",
    "SWITCHBOARD_CHAT_MAX_MESSAGE_LENGTH, maxMessageLength, -1",
    "SWITCHBOARD_CHAT_MAX_MESSAGE_LENGTH, maxMessageLength, 2.5",
    "SWITCHBOARD_CHAT_HISTORY_TTL_MS, historyTtlMs, 999",
    "SWITCHBOARD_CHAT_MAX_ROOMS, maxRooms, 0"})
  void anInvalidValueNamesKeyAndVariable(String envName, String key, String value) {
    assertThatThrownBy(() -> ChatOptions.from(null, Map.of(envName, value)))
      .isInstanceOf(IllegalArgumentException.class)
      .hasMessageContaining("'" + key + "'").hasMessageContaining(envName).hasMessageContaining(value);
    assertThatThrownBy(() -> ChatOptions.from(new JsonObject().put(key, value), Map.of()))
      .hasMessageContaining("'" + key + "'").hasMessageContaining(envName);
  }
}
