package io.github.switchboard.gateway.proxy;

import io.github.switchboard.gateway.config.ProxyOptions;
import io.github.switchboard.protocol.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.json.Json;

/**
 * The RPC hook: a client's {@code rpc} frame posted to the application's backend, its answer
 * handed back (docs/backend.md, "RPC"). Request: {@code POST rpcUrl} with
 * {@code {"method","data","client","user"}}. Answer: {@code {"data":ANY}} (the
 * {@code rpc_result}), or the backend's refusal ({@code backend_error}); failures as
 * {@link Backend} maps them.
 */
public final class RpcProxy {

  /** A call's outcome for the client: the {@code rpc_result} data, or an error. */
  public record Answer(String dataJson, ErrorCode error, String message, String reason) {

    public boolean ok() {
      return error == null;
    }
  }

  private final ProxyOptions options;
  private final Backend backend;

  public RpcProxy(ProxyOptions options, Backend backend) {
    this.options = options;
    this.backend = backend;
  }

  /**
   * Asks the backend. Never fails: every outcome is an {@link Answer}.
   *
   * @param dataJson the client's data as it came (checked JSON), spliced in without decoding
   * @param clientId the connection id; {@code user} its user (null when anonymous)
   */
  public Future<Answer> call(String method, String dataJson, String clientId, String user) {
    if (!options.rpcEnabled()) {
      return Future.succeededFuture(new Answer(null, ErrorCode.SERVICE_UNAVAILABLE, "no RPC backend is configured", null));
    }
    String body = "{\"method\":" + Json.encode(method) + ",\"data\":" + dataJson + ",\"client\":" + Json.encode(clientId)
      + ",\"user\":" + Json.encode(user) + "}";
    return backend.post(Backend.Hook.RPC, options.rpcUrl(), body, "rpc method=" + method, answer -> null)
      .map(reply -> reply.ok() ? new Answer(Json.encode(reply.answer().getValue("data")), null, null, null)
        : new Answer(null, reply.error(), reply.message(), reply.reason()));
  }
}
