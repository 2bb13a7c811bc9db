package io.github.switchboard.gateway;

import io.github.switchboard.gateway.auth.AuthOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Every setting of a gateway, immutable once read. Values come from the JSON config
 * ({@code -conf}), then environment variables override them (for containers): key
 * {@code writeQueueMaxBytes} is {@code SWITCHBOARD_WRITE_QUEUE_MAX_BYTES}.
 */
public final class GatewayOptions {

  public static final String DEFAULT_HOST = "0.0.0.0";
  public static final int DEFAULT_PORT = 8080;
  /** How often the server pings each socket; a socket that has not answered by the next ping is closed. */
  public static final long DEFAULT_PING_INTERVAL_MS = 30_000;
  /** Largest WebSocket frame or message accepted; a larger one closes the socket with 1009. */
  public static final int DEFAULT_MAX_FRAME_BYTES = 64 * 1024;
  /**
   * Frames above this are cut off by the WebSocket decoder before they are read, with no close
   * frame (the TCP connection drops). Between {@code maxFrameBytes} and this, a message is read
   * and the socket closed with 1009. At least {@code maxFrameBytes}.
   */
  public static final int DEFAULT_FRAME_HARD_LIMIT_BYTES = 1024 * 1024;
  /** Bytes queued for one socket before further deliveries to it are dropped. */
  public static final int DEFAULT_WRITE_QUEUE_MAX_BYTES = 256 * 1024;
  /**
   * Longest a delivery may wait before its socket is flushed. 0: flush as soon as the event
   * loop has run the tasks already queued. Above 0, deliveries to a socket within this window
   * go out in one write: less CPU per delivery, at most this much more latency.
   */
  public static final int DEFAULT_FLUSH_DELAY_MS = 0;
  /**
   * Cluster mode: after this gateway registers a new consumer for a group (its first socket
   * there), the join completes this much later: "subscribed", a room's welcome and a
   * {@code since} history read wait for it. Other nodes learn of a new consumer from a
   * Hazelcast event; a message published elsewhere before that does not reach this gateway.
   * 0: no wait.
   */
  public static final long DEFAULT_REGISTRATION_SETTLE_MS = 250;
  /** A socket that keeps dropping deliveries this long is closed with 1013. */
  public static final long DEFAULT_SLOW_CONSUMER_CLOSE_MS = 30_000;
  /** Groups one {@code /ws} socket may be subscribed to at once. */
  public static final int DEFAULT_MAX_SUBSCRIPTIONS = 100;
  /** How long a gateway waits for a service (chat, scores) to answer a request. */
  public static final long DEFAULT_SERVICE_TIMEOUT_MS = 5_000;
  /** How long a stopping gateway waits for its sockets to close. */
  public static final long DEFAULT_DRAIN_TIMEOUT_MS = 10_000;
  /** Largest body of an HTTP publish; larger ones get 413. */
  public static final int DEFAULT_MAX_PUBLISH_BYTES = 64 * 1024;
  /** Messages per second one connection may send on average... */
  public static final int DEFAULT_RATE_LIMIT_PER_SECOND = 50;
  /** ...and in a burst. */
  public static final int DEFAULT_RATE_LIMIT_BURST = 100;
  /** Messages refused in a row for the rate before the socket is closed with 1008. */
  public static final int DEFAULT_RATE_LIMIT_CLOSE_AFTER = 50;
  /** Open sockets per gateway; more are refused with 503. */
  public static final int DEFAULT_MAX_CONNECTIONS = 200_000;
  /** Open sockets per client IP address; more are refused with 429. */
  public static final int DEFAULT_MAX_CONNECTIONS_PER_IP = 1_000;
  /** Groups whose members are listed cluster-wide ({@code presence} requests, join/leave events). */
  public static final List<String> DEFAULT_PRESENCE_GROUPS = List.of("chat.*");
  /** A presence entry not refreshed for this long (its gateway died) disappears. */
  public static final long DEFAULT_PRESENCE_TTL_MS = 30_000;
  /** Deploy chat and simulator in the gateway's JVM when not clustered. */
  public static final boolean DEFAULT_EMBEDDED_SERVICES = true;
  public static final List<GroupRule> DEFAULT_GROUPS = List.of(
    new GroupRule("scores", true, false),
    new GroupRule("random", true, false),
    new GroupRule("*", true, true));

  private final String host;
  private final int port;
  private final long pingIntervalMs;
  private final int maxFrameBytes;
  private final int frameHardLimitBytes;
  private final int writeQueueMaxBytes;
  private final int flushDelayMs;
  private final long registrationSettleMs;
  private final long slowConsumerCloseMs;
  private final int maxSubscriptions;
  private final long serviceTimeoutMs;
  private final long drainTimeoutMs;
  private final boolean embeddedServices;
  private final int maxPublishBytes;
  private final String apiKey;
  private final int rateLimitPerSecond;
  private final int rateLimitBurst;
  private final int rateLimitCloseAfter;
  private final int maxConnections;
  private final int maxConnectionsPerIp;
  private final List<String> allowedOrigins;
  private final List<String> presenceGroups;
  private final long presenceTtlMs;
  private final List<GroupRule> groups;
  private final AuthOptions auth;
  private final JsonObject chat;
  private final JsonObject simulator;

  private GatewayOptions(JsonObject c, Map<String, String> env) {
    host = c.getString("host", DEFAULT_HOST);
    port = intIn(c, "port", DEFAULT_PORT, 0, 65535);
    pingIntervalMs = longIn(c, "pingIntervalMs", DEFAULT_PING_INTERVAL_MS, 10, Long.MAX_VALUE);
    maxFrameBytes = intIn(c, "maxFrameBytes", DEFAULT_MAX_FRAME_BYTES, 128, Integer.MAX_VALUE);
    frameHardLimitBytes = Math.max(maxFrameBytes,
      intIn(c, "frameHardLimitBytes", DEFAULT_FRAME_HARD_LIMIT_BYTES, 128, Integer.MAX_VALUE));
    writeQueueMaxBytes = intIn(c, "writeQueueMaxBytes", DEFAULT_WRITE_QUEUE_MAX_BYTES, 1024, Integer.MAX_VALUE);
    flushDelayMs = intIn(c, "flushDelayMs", DEFAULT_FLUSH_DELAY_MS, 0, 1000);
    registrationSettleMs = longIn(c, "registrationSettleMs", DEFAULT_REGISTRATION_SETTLE_MS, 0, 10_000);
    slowConsumerCloseMs = longIn(c, "slowConsumerCloseMs", DEFAULT_SLOW_CONSUMER_CLOSE_MS, 0, Long.MAX_VALUE);
    maxSubscriptions = intIn(c, "maxSubscriptions", DEFAULT_MAX_SUBSCRIPTIONS, 1, Integer.MAX_VALUE);
    serviceTimeoutMs = longIn(c, "serviceTimeoutMs", DEFAULT_SERVICE_TIMEOUT_MS, 1, Long.MAX_VALUE);
    drainTimeoutMs = longIn(c, "drainTimeoutMs", DEFAULT_DRAIN_TIMEOUT_MS, 0, Long.MAX_VALUE);
    embeddedServices = bool(c, "embeddedServices", DEFAULT_EMBEDDED_SERVICES);
    maxPublishBytes = intIn(c, "maxPublishBytes", DEFAULT_MAX_PUBLISH_BYTES, 1, Integer.MAX_VALUE);
    String key = c.getString("apiKey");
    apiKey = key == null || key.isBlank() ? null : key;
    rateLimitPerSecond = intIn(c, "rateLimitPerSecond", DEFAULT_RATE_LIMIT_PER_SECOND, 1, Integer.MAX_VALUE);
    rateLimitBurst = intIn(c, "rateLimitBurst", DEFAULT_RATE_LIMIT_BURST, 1, Integer.MAX_VALUE);
    rateLimitCloseAfter = intIn(c, "rateLimitCloseAfter", DEFAULT_RATE_LIMIT_CLOSE_AFTER, 1, Integer.MAX_VALUE);
    maxConnections = intIn(c, "maxConnections", DEFAULT_MAX_CONNECTIONS, 1, Integer.MAX_VALUE);
    maxConnectionsPerIp = intIn(c, "maxConnectionsPerIp", DEFAULT_MAX_CONNECTIONS_PER_IP, 1, Integer.MAX_VALUE);
    allowedOrigins = strings(c, "allowedOrigins");
    presenceGroups = c.containsKey("presenceGroups") ? strings(c, "presenceGroups") : DEFAULT_PRESENCE_GROUPS;
    presenceGroups.forEach(p -> new GroupRule(p, true, false));
    presenceTtlMs = longIn(c, "presenceTtlMs", DEFAULT_PRESENCE_TTL_MS, 300, Long.MAX_VALUE);
    groups = rules(c);
    auth = AuthOptions.from(object(c, "auth"), env);
    chat = object(c, "chat");
    simulator = object(c, "simulator");
  }

  /** Reads the verticle config, with environment variables taking precedence. */
  public static GatewayOptions from(JsonObject config, Map<String, String> env) {
    JsonObject merged = config == null ? new JsonObject() : config.copy();
    for (String key : List.of("host", "port", "pingIntervalMs", "maxFrameBytes", "frameHardLimitBytes", "writeQueueMaxBytes", "flushDelayMs", "registrationSettleMs",
      "slowConsumerCloseMs", "maxSubscriptions", "serviceTimeoutMs", "drainTimeoutMs", "embeddedServices", "maxPublishBytes", "apiKey", "rateLimitPerSecond", "rateLimitBurst", "rateLimitCloseAfter", "maxConnections",
      "maxConnectionsPerIp", "allowedOrigins", "presenceGroups", "presenceTtlMs", "groups")) {
      String value = env.get(envName(key));
      if (value != null && !value.isBlank()) {
        Object parsed = switch (key) {
          case "groups" -> new JsonArray(value);
          // A comma-separated list is easier to write in an environment variable.
          case "allowedOrigins", "presenceGroups" -> new JsonArray(List.of(value.strip().split("\\s*,\\s*")));
          default -> value.strip();
        };
        merged.put(key, parsed);
      }
    }
    return new GatewayOptions(merged, env);
  }

  public static GatewayOptions defaults() {
    return new GatewayOptions(new JsonObject(), Map.of());
  }

  /** {@code maxFrameBytes} -> {@code SWITCHBOARD_MAX_FRAME_BYTES}. */
  public static String envName(String key) {
    return "SWITCHBOARD_" + key.replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  public long pingIntervalMs() {
    return pingIntervalMs;
  }

  public int maxFrameBytes() {
    return maxFrameBytes;
  }

  public int frameHardLimitBytes() {
    return frameHardLimitBytes;
  }

  public int writeQueueMaxBytes() {
    return writeQueueMaxBytes;
  }

  public int flushDelayMs() {
    return flushDelayMs;
  }

  public long registrationSettleMs() {
    return registrationSettleMs;
  }

  public long slowConsumerCloseMs() {
    return slowConsumerCloseMs;
  }

  public int maxSubscriptions() {
    return maxSubscriptions;
  }

  public long serviceTimeoutMs() {
    return serviceTimeoutMs;
  }

  public long drainTimeoutMs() {
    return drainTimeoutMs;
  }

  public boolean embeddedServices() {
    return embeddedServices;
  }

  public int maxPublishBytes() {
    return maxPublishBytes;
  }

  /** Bearer key required by HTTP publish; null when none is configured. Never logged. */
  public String apiKey() {
    return apiKey;
  }

  public int rateLimitPerSecond() {
    return rateLimitPerSecond;
  }

  public int rateLimitBurst() {
    return rateLimitBurst;
  }

  public int rateLimitCloseAfter() {
    return rateLimitCloseAfter;
  }

  public int maxConnections() {
    return maxConnections;
  }

  public int maxConnectionsPerIp() {
    return maxConnectionsPerIp;
  }

  /** Origins whose pages may open sockets besides this gateway's own; {@code "*"} for any. */
  public List<String> allowedOrigins() {
    return allowedOrigins;
  }

  public List<String> presenceGroups() {
    return presenceGroups;
  }

  public long presenceTtlMs() {
    return presenceTtlMs;
  }

  /** Group rules in order; the first that matches a group decides. */
  public List<GroupRule> groups() {
    return groups;
  }

  /** JWT settings ({@code auth} object); authentication is off unless a key is configured. */
  public AuthOptions auth() {
    return auth;
  }

  /** Config handed to the chat verticle in embedded mode. */
  public JsonObject chat() {
    return chat.copy();
  }

  /** Config handed to the simulator verticle in embedded mode. */
  public JsonObject simulator() {
    return simulator.copy();
  }

  private static List<GroupRule> rules(JsonObject c) {
    Object value = c.getValue("groups");
    if (value == null) {
      return DEFAULT_GROUPS;
    }
    if (!(value instanceof JsonArray array)) {
      throw new IllegalArgumentException("config 'groups' must be an array of {pattern, subscribe, publish}");
    }
    List<GroupRule> rules = new ArrayList<>();
    for (Object item : array) {
      if (!(item instanceof JsonObject rule)) {
        throw new IllegalArgumentException("config 'groups' entries must be objects, got " + item);
      }
      rules.add(GroupRule.fromJson(rule));
    }
    return List.copyOf(rules);
  }

  private static List<String> strings(JsonObject c, String key) {
    Object value = c.getValue(key);
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof JsonArray array) || !array.stream().allMatch(String.class::isInstance)) {
      throw new IllegalArgumentException("config '" + key + "' must be an array of strings");
    }
    return array.stream().map(String.class::cast).toList();
  }

  private static JsonObject object(JsonObject c, String key) {
    Object value = c.getValue(key);
    if (value == null) {
      return new JsonObject();
    }
    if (!(value instanceof JsonObject object)) {
      throw new IllegalArgumentException("config '" + key + "' must be an object");
    }
    return object;
  }

  private static int intIn(JsonObject c, String key, int def, int min, int max) {
    long value = longIn(c, key, def, min, max);
    return (int) value;
  }

  private static long longIn(JsonObject c, String key, long def, long min, long max) {
    Object raw = c.getValue(key);
    if (raw == null) {
      return def;
    }
    long value;
    try {
      value = raw instanceof Number n ? n.longValue() : Long.parseLong(raw.toString().strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("config '" + key + "' must be an integer, got '" + raw + "'");
    }
    if (value < min || value > max) {
      throw new IllegalArgumentException("config '" + key + "' must be between " + min + " and " + max + ", got " + value);
    }
    return value;
  }

  private static boolean bool(JsonObject c, String key, boolean def) {
    Object raw = c.getValue(key);
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
    throw new IllegalArgumentException("config '" + key + "' must be true or false, got '" + raw + "'");
  }
}
