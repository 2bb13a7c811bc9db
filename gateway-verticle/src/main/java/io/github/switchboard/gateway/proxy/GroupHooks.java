package io.github.switchboard.gateway.proxy;

import io.github.switchboard.gateway.config.ProxyOptions;
import io.github.switchboard.protocol.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.json.Json;

/**
 * The subscribe and publish hooks: a client's subscribe to, or publish to, a group that matches
 * the hook's patterns is first posted to the backend, which allows it, refuses it (the client
 * gets {@code forbidden} with the backend's message and reason) or, for a publish, replaces the
 * data (docs/backend.md, "Subscribe and publish"). What the server does itself (the server API,
 * the connect hook's groups) is not asked about.
 *
 * <p>Requests: {@code POST subscribeUrl} with {@code {"group","client","user"}};
 * {@code POST publishUrl} with {@code {"group","data","client","user"}}. Answer: {@code {}} (or
 * any object without {@code error}) to allow; for a publish, {@code {"data":ANY}} to deliver
 * that instead; {@code {"error":{"message":..,"reason":..}}} to refuse.
 */
public final class GroupHooks {

  /**
   * Whether the request goes ahead, and with which data (a publish's replacement, JSON text; null
   * to keep the client's); if not, the error for the client.
   */
  public record Decision(boolean allowed, String dataJson, ErrorCode error, String message, String reason) {

    static final Decision ALLOWED = new Decision(true, null, null, null, null);
  }

  private final ProxyOptions options;
  private final Backend backend;

  public GroupHooks(ProxyOptions options, Backend backend) {
    this.options = options;
    this.backend = backend;
  }

  public boolean asksSubscribe(String group) {
    return options.asksSubscribe(group);
  }

  public boolean asksPublish(String group) {
    return options.asksPublish(group);
  }

  /** Asks whether the client may subscribe. Never fails. */
  public Future<Decision> subscribe(String group, String clientId, String user) {
    String body = "{\"group\":" + Json.encode(group) + ",\"client\":" + Json.encode(clientId) + ",\"user\":" + Json.encode(user) + "}";
    return backend.post(Backend.Hook.SUBSCRIBE, options.subscribeUrl(), body, "subscribe group=" + group + " conn=" + clientId,
      answer -> null).map(reply -> reply.ok() ? Decision.ALLOWED : refused(reply));
  }

  /**
   * Asks whether the client may publish {@code dataJson} (its JSON as it came, spliced in). Never
   * fails.
   */
  public Future<Decision> publish(String group, String dataJson, String clientId, String user) {
    String body = "{\"group\":" + Json.encode(group) + ",\"data\":" + dataJson + ",\"client\":" + Json.encode(clientId)
      + ",\"user\":" + Json.encode(user) + "}";
    return backend.post(Backend.Hook.PUBLISH, options.publishUrl(), body, "publish group=" + group + " conn=" + clientId,
      answer -> null).map(reply -> {
        if (!reply.ok()) {
          return refused(reply);
        }
        return reply.answer().containsKey("data")
          ? new Decision(true, Json.encode(reply.answer().getValue("data")), null, null, null)
          : Decision.ALLOWED;
      });
  }

  /** A refusal is {@code forbidden} with the backend's words; a failure keeps its own code. */
  private static Decision refused(Backend.Reply reply) {
    return reply.refused()
      ? new Decision(false, null, ErrorCode.FORBIDDEN, reply.message(), reply.reason())
      : new Decision(false, null, reply.error(), reply.message(), null);
  }
}
