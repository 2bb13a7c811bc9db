package io.github.switchboard.loadgen;

/**
 * Reads one integer field from a JSON text without parsing the whole frame: the generator reads
 * every delivery, and at 10^5 deliveries a second a full parse would load the generator's core
 * more than the measurement needs.
 */
public final class Fields {

  /** Returned when the field is absent or not an integer. */
  public static final long ABSENT = Long.MIN_VALUE;

  private Fields() {
  }

  /**
   * The value of the first {@code "key":<integer>} in {@code text}, searching from
   * {@code from}; {@link #ABSENT} if there is none. Whitespace after the colon is allowed.
   */
  public static long longField(String text, String key, int from) {
    return longAfter(text, "\"" + key + "\":", from);
  }

  /**
   * The integer right after the first {@code prefix} in {@code text} from {@code from} (spaces
   * skipped); {@link #ABSENT} if there is none. Reads numbers a server carries inside a string,
   * such as a chat message's text {@code "t=<micros> n=<n>"}.
   */
  public static long longAfter(String text, String prefix, int from) {
    int at = text.indexOf(prefix, from);
    if (at < 0) {
      return ABSENT;
    }
    int i = at + prefix.length();
    int len = text.length();
    while (i < len && text.charAt(i) == ' ') {
      i++;
    }
    boolean negative = i < len && text.charAt(i) == '-';
    if (negative) {
      i++;
    }
    long value = 0;
    int digits = 0;
    while (i < len) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        break;
      }
      value = value * 10 + (c - '0');
      digits++;
      i++;
    }
    if (digits == 0 || digits > 18) {
      return ABSENT;
    }
    return negative ? -value : value;
  }

  public static long longField(String text, String key) {
    return longField(text, key, 0);
  }

  /** The string value of {@code "key":"..."} (no escapes), or null. */
  public static String stringField(String text, String key) {
    String needle = "\"" + key + "\":\"";
    int at = text.indexOf(needle);
    if (at < 0) {
      return null;
    }
    int start = at + needle.length();
    int end = text.indexOf('"', start);
    return end < 0 ? null : text.substring(start, end);
  }
}
