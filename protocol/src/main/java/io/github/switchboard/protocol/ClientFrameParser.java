package io.github.switchboard.protocol;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.regex.Pattern;

/**
 * Turns the text of a {@code /ws} frame into a {@link ClientFrame}, or throws a
 * {@link ProtocolException} that names what is wrong.
 */
public final class ClientFrameParser {

  private ClientFrameParser() {
  }

  public static ClientFrame parse(String text) {
    JsonObject json = parseObject(text);
    Object id = requestId(json);
    Object type = json.getValue("type");
    if (type == null) {
      throw new ProtocolException(ErrorCode.INVALID_FIELD, "missing field 'type'", id);
    }
    if (!(type instanceof String)) {
      throw new ProtocolException(ErrorCode.INVALID_FIELD, "field 'type' must be a string", id);
    }
    switch ((String) type) {
      case "subscribe": {
        String group = group(json, id);
        Object since = json.getValue("since");
        if (since instanceof JsonObject position) {
          return new ClientFrame.Subscribe(id, group, since(position.getValue(position.containsKey("offset") ? "offset" : "seq"), id),
            epoch(position.getValue("epoch"), id));
        }
        return new ClientFrame.Subscribe(id, group, since(since, id), null);
      }
      case "unsubscribe":
        return new ClientFrame.Unsubscribe(id, group(json, id));
      case "publish": {
        String group = group(json, id);
        if (!json.containsKey("data")) {
          throw new ProtocolException(ErrorCode.INVALID_FIELD, "missing field 'data'", id);
        }
        return new ClientFrame.Publish(id, group, Json.encode(json.getValue("data")));
      }
      case "ping":
        return new ClientFrame.Ping(id);
      case "presence":
        return new ClientFrame.Presence(id, group(json, id), after(json, id));
      case "rpc":
        return rpc(json, id);
      default:
        throw new ProtocolException(ErrorCode.UNKNOWN_TYPE, "unknown type '" + abbreviate((String) type) + "'", id);
    }
  }

  /** Parses a frame that must be a JSON object; used by every JSON endpoint. */
  public static JsonObject parseObject(String text) {
    String trimmed = text.strip();
    if (!trimmed.startsWith("{")) {
      throw new ProtocolException(ErrorCode.INVALID_JSON, "frame must be a JSON object");
    }
    JsonObject json;
    try {
      json = new JsonObject(trimmed);
    } catch (DecodeException | ClassCastException e) {
      throw new ProtocolException(ErrorCode.INVALID_JSON, "frame is not valid JSON");
    }
    if (!wellFormed(trimmed, json)) {
      throw new ProtocolException(ErrorCode.INVALID_FIELD, LONE_SURROGATE);
    }
    return json;
  }

  /** Why a text with a lone surrogate escape is refused. */
  public static final String LONE_SURROGATE =
    "a string holds a lone UTF-16 surrogate (\\ud800-\\udfff without its pair), which has no UTF-8 form";

  private static final Pattern SURROGATE_ESCAPE = Pattern.compile("\\\\u[dD][89a-fA-F]");

  /**
   * Whether every string in a decoded JSON value is well-formed UTF-16. A JSON text that is
   * valid UTF-8 can still escape half a surrogate pair ({@code "\ud800"}); such a string has
   * no UTF-8 form and would reach subscribers as {@code ?}. Only texts that contain such an
   * escape are walked.
   */
  public static boolean wellFormed(String rawJson, Object decoded) {
    return !SURROGATE_ESCAPE.matcher(rawJson).find() || wellFormed(decoded);
  }

  private static boolean wellFormed(Object value) {
    if (value instanceof String text) {
      for (int i = 0; i < text.length(); i++) {
        char c = text.charAt(i);
        if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
          i++;
        } else if (Character.isSurrogate(c)) {
          return false;
        }
      }
      return true;
    }
    if (value instanceof JsonObject object) {
      for (var entry : object) {
        if (!wellFormed(entry.getKey()) || !wellFormed(entry.getValue())) {
          return false;
        }
      }
      return true;
    }
    if (value instanceof JsonArray array) {
      for (Object item : array) {
        if (!wellFormed(item)) {
          return false;
        }
      }
    }
    return true;
  }

  private static Object requestId(JsonObject json) {
    Object id = json.getValue("id");
    if (id == null || id instanceof Number || id instanceof String) {
      return id;
    }
    throw new ProtocolException(ErrorCode.INVALID_FIELD, "field 'id' must be a number or a string");
  }

  private static String group(JsonObject json, Object id) {
    Object group = json.getValue("group");
    if (group == null) {
      throw new ProtocolException(ErrorCode.INVALID_FIELD, "missing field 'group'", id);
    }
    if (!(group instanceof String)) {
      throw new ProtocolException(ErrorCode.INVALID_FIELD, "field 'group' must be a string", id);
    }
    if (!Groups.isValidName((String) group)) {
      throw new ProtocolException(ErrorCode.INVALID_GROUP,
        "group name must match [A-Za-z0-9_.:-]{1," + Groups.MAX_NAME_LENGTH + "}", id);
    }
    return (String) group;
  }

  /** Method names of {@code rpc}: what a backend can route on, and safe in a log line. */
  private static final Pattern METHOD = Pattern.compile("[A-Za-z0-9_.:/-]{1,128}");

  private static ClientFrame.Rpc rpc(JsonObject json, Object id) {
    if (id == null) {
      throw new ProtocolException(ErrorCode.INVALID_FIELD, "an rpc needs an 'id': its rpc_result carries it");
    }
    Object method = json.getValue("method");
    if (!(method instanceof String name) || !METHOD.matcher(name).matches()) {
      throw new ProtocolException(ErrorCode.INVALID_FIELD, "field 'method' must match [A-Za-z0-9_.:/-]{1,128}", id);
    }
    return new ClientFrame.Rpc(id, name, Json.encode(json.getValue("data")));
  }

  private static String after(JsonObject json, Object id) {
    Object after = json.getValue("after");
    if (after == null) {
      return null;
    }
    if (!(after instanceof String text) || text.length() > Groups.MAX_NAME_LENGTH) {
      throw new ProtocolException(ErrorCode.INVALID_FIELD,
        "field 'after' must be a connection id (the 'next' of the previous page)", id);
    }
    return text;
  }

  private static final String SINCE_FORMS = "field 'since' must be an integer >= 0 or {\"seq\":N,\"epoch\":E}";

  private static Long since(Object since, Object id) {
    if (since == null) {
      return null;
    }
    if (!(since instanceof Integer || since instanceof Long) || ((Number) since).longValue() < 0) {
      throw new ProtocolException(ErrorCode.INVALID_FIELD, SINCE_FORMS, id);
    }
    return ((Number) since).longValue();
  }

  /** The epoch of a {@code since} position: a non-empty string of at most {@link Delivery#MAX_EPOCH_BYTES}. */
  private static String epoch(Object epoch, Object id) {
    if (!(epoch instanceof String text) || text.isEmpty() || text.length() > Delivery.MAX_EPOCH_BYTES) {
      throw new ProtocolException(ErrorCode.INVALID_FIELD, SINCE_FORMS + " (epoch: the string of the last 'subscribed' or"
        + " message)", id);
    }
    return text;
  }

  private static String abbreviate(String s) {
    return s.length() <= 32 ? s : s.substring(0, 32) + "...";
  }
}
