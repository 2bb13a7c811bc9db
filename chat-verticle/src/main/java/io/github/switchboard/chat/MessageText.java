package io.github.switchboard.chat;

import io.github.switchboard.protocol.ErrorCode;
import io.github.switchboard.protocol.ProtocolException;
import io.vertx.core.json.JsonObject;

/** What text a chat message may carry. */
final class MessageText {

  private MessageText() {
  }

  /**
   * Accepts a string, or an object with a string {@code message} (what a {@code /ws} client
   * publishing to {@code chat.R} naturally sends). Control characters other than newline and
   * tab are removed; the result must be non-blank and at most {@code maxLength} characters.
   */
  static String clean(Object message, int maxLength) {
    Object value = message instanceof JsonObject object ? object.getValue("message") : message;
    if (!(value instanceof String text)) {
      throw new ProtocolException(ErrorCode.INVALID_FIELD, "message must be a string");
    }
    StringBuilder out = new StringBuilder(text.length());
    text.codePoints()
      .filter(cp -> cp == '\n' || cp == '\t' || !Character.isISOControl(cp))
      .forEach(out::appendCodePoint);
    String cleaned = out.toString();
    if (cleaned.isBlank()) {
      throw new ProtocolException(ErrorCode.INVALID_FIELD, "message must not be empty");
    }
    if (cleaned.length() > maxLength) {
      throw new ProtocolException(ErrorCode.TOO_LARGE, "message longer than " + maxLength + " characters");
    }
    return cleaned;
  }
}
