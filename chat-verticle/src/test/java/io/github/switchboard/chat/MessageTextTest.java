package io.github.switchboard.chat;

import io.github.switchboard.protocol.ErrorCode;
import io.github.switchboard.protocol.ProtocolException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MessageTextTest {

  private static final int MAX = 2000;

  @Test
  void plainStringIsAcceptedUnchanged() {
    assertThat(MessageText.clean("hello room", MAX)).isEqualTo("hello room");
  }

  @Test
  void objectWithStringMessageIsAccepted() {
    assertThat(MessageText.clean(new JsonObject().put("message", "hi there").put("extra", 1), MAX))
      .isEqualTo("hi there");
  }

  @Test
  void newlineAndTabAreKept() {
    assertThat(MessageText.clean("line one\nline two\tindented", MAX)).isEqualTo("line one\nline two\tindented");
  }

  @Test
  void otherControlCharactersAreRemoved() {
    // NUL, BEL, CR, ESC, DEL and the C1 control NEL (U+0085) all go; text around them stays.
    String raw = "a\u0000b\u0007c\rd\u001be\u007ff\u0085g\u009f";
    assertThat(MessageText.clean(raw, MAX)).isEqualTo("abcdefg");
  }

  @Test
  void controlCharactersAreRemovedFromObjectMessagesToo() {
    assertThat(MessageText.clean(new JsonObject().put("message", "\u0001ok\u0002"), MAX)).isEqualTo("ok");
  }

  @Test
  void nonAsciiTextIsKept() {
    String text = "h\u00e9llo \uD83D\uDC4B \u4e16\u754c \u00a0\u2028";
    assertThat(MessageText.clean(text, MAX)).isEqualTo(text);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "   ", "\n", "\t\n \t", "\u0000", "\u0001\u0002\r", " \u0007 \n"})
  void blankTextIsInvalid(String text) {
    assertRefused(text, MAX, ErrorCode.INVALID_FIELD);
    assertRefused(new JsonObject().put("message", text), MAX, ErrorCode.INVALID_FIELD);
  }

  @Test
  void textLongerThanMaximumIsTooLarge() {
    assertThat(MessageText.clean("abcde", 5)).isEqualTo("abcde");
    assertRefused("abcdef", 5, ErrorCode.TOO_LARGE);
    assertRefused(new JsonObject().put("message", "x".repeat(MAX + 1)), MAX, ErrorCode.TOO_LARGE);
    assertThat(MessageText.clean("x".repeat(MAX), MAX)).hasSize(MAX);
  }

  @Test
  void lengthIsMeasuredAfterControlCharactersAreRemoved() {
    assertThat(MessageText.clean("ab\u0000\u0001\u0002cde", 5)).isEqualTo("abcde");
  }

  @Test
  void tooLargeMessageNamesTheMaximum() {
    assertThatThrownBy(() -> MessageText.clean("abcdef", 5))
      .isInstanceOf(ProtocolException.class)
      .hasMessageContaining("5");
  }

  static Stream<Object> nonStrings() {
    return Stream.of(
      42,
      4.5,
      true,
      new JsonArray().add("hi"),
      new JsonObject(),
      new JsonObject().put("text", "hi"),
      new JsonObject().put("message", 42),
      new JsonObject().put("message", new JsonObject().put("message", "hi")),
      new JsonObject().put("message", new JsonArray().add("hi")),
      new JsonObject().putNull("message"));
  }

  @ParameterizedTest
  @MethodSource("nonStrings")
  void nonStringIsInvalid(Object message) {
    assertRefused(message, MAX, ErrorCode.INVALID_FIELD);
  }

  @Test
  void nullIsInvalid() {
    assertRefused(null, MAX, ErrorCode.INVALID_FIELD);
  }

  private static void assertRefused(Object message, int max, ErrorCode code) {
    assertThatThrownBy(() -> MessageText.clean(message, max))
      .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.code()).isEqualTo(code));
  }
}
