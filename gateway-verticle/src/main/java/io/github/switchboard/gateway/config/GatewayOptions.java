package io.github.switchboard.gateway.config;

import io.github.switchboard.launcher.settings.Settings;
import io.vertx.core.json.JsonObject;

import java.util.Map;

/**
 * Every setting of a gateway, read once at start-up by the one {@link Settings} reader (JSON
 * config from {@code -conf}, environment variables over it: {@code writeQueueMaxBytes} is
 * {@code SWITCHBOARD_WRITE_QUEUE_MAX_BYTES}) and split by concern, so that each part of the
 * gateway is handed only the record it uses:
 *
 * <ul>
 *   <li>{@link ServerOptions}: the HTTP server (wiring, drain)</li>
 *   <li>{@link SocketOptions}: one socket at the transport level (acceptor, frame handler,
 *   writer, keep-alive, slow consumers)</li>
 *   <li>{@link LimitOptions}: what one client may take (admission, inbound policy, {@code /ws},
 *   HTTP publish)</li>
 *   <li>{@link StreamOptions}: stream groups (sequencing, gap reads, position check)</li>
 *   <li>{@link PresenceOptions}: presence</li>
 *   <li>{@link AccessOptions}: group rules, origins, the API key (admission, {@code /ws}, HTTP
 *   publish)</li>
 *   <li>{@link AuthOptions}: JWT (token authenticator)</li>
 *   <li>{@link ServiceOptions}: the chat service and the simulator (service clients, embedded
 *   deployment)</li>
 *   <li>{@link ProxyOptions}: the application's backend (the RPC hook)</li>
 *   <li>{@link ApiOptions}: the server API for backends</li>
 * </ul>
 */
public record GatewayOptions(ServerOptions server, SocketOptions socket, LimitOptions limits, StreamOptions streams,
                             PresenceOptions presence, AccessOptions access, AuthOptions auth,
                             ServiceOptions services, ProxyOptions proxy, ApiOptions api) {

  /**
   * Reads the verticle config, with environment variables taking precedence.
   *
   * @throws IllegalArgumentException naming the key and its variable, for any invalid value
   */
  public static GatewayOptions from(JsonObject config, Map<String, String> env) {
    Settings s = Settings.of(config, env);
    return new GatewayOptions(ServerOptions.from(s), SocketOptions.from(s), LimitOptions.from(s), StreamOptions.from(s),
      PresenceOptions.from(s), AccessOptions.from(s), AuthOptions.from(s), ServiceOptions.from(s),
      ProxyOptions.from(s), ApiOptions.from(s));
  }

  public static GatewayOptions defaults() {
    return from(new JsonObject(), Map.of());
  }
}
