package io.github.switchboard.gateway.proxy;

import io.github.switchboard.gateway.config.ProxyOptions;
import io.github.switchboard.protocol.ErrorCode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * The RPC hook: a client's {@code rpc} frame posted to the application's backend, its answer
 * handed back (docs/backend.md, "RPC").
 *
 * <p>Request: {@code POST rpcUrl} with {@code {"method","data","client","user"}}. Answer: 200
 * with {@code {"data":ANY}} (the {@code rpc_result}), or 200 with
 * {@code {"error":{"message":..,"reason":..}}} (the backend refuses: {@code backend_error}).
 * Anything else is the backend failing: another status or an answer that is not such an object
 * is a {@code backend_error}, no connection a {@code service_unavailable}, silence longer than
 * {@code timeoutMs} a {@code timeout}.
 *
 * <p>At most {@code maxInFlight} calls are under way; one more is refused at once with
 * {@code limit_reached}. A call counts until its HTTP request ends (answered, failed, or cut by
 * the idle timeout, which closes its connection), so a backend that never answers holds at most
 * that many requests in the gateway, and the sockets' other frames are not held up by it: the
 * calls are asynchronous on the socket's event loop.
 *
 * <p>Not thread-safe: used on the gateway's event loop.
 */
public final class RpcProxy {

  private static final Logger log = LoggerFactory.getLogger(RpcProxy.class);

  /** What a call ended with, as counted in {@code switchboard_proxy_calls_total{outcome}}. */
  enum Outcome { ANSWERED, REFUSED, FAILED, UNREACHABLE, TIMEOUT, OVER_LIMIT }

  /** A call's outcome for the client: the {@code rpc_result} data, or an error. */
  public record Answer(String dataJson, ErrorCode error, String message, String reason) {

    static Answer data(String json) {
      return new Answer(json, null, null, null);
    }

    static Answer error(ErrorCode code, String message, String reason) {
      return new Answer(null, code, message, reason);
    }

    public boolean ok() {
      return error == null;
    }
  }

  private final ProxyOptions options;
  private final HttpClient client;
  private final Map<Outcome, Counter> outcomes = new EnumMap<>(Outcome.class);
  private final Timer latency;
  private int inFlight;

  public RpcProxy(Vertx vertx, ProxyOptions options, MeterRegistry registry) {
    this.options = options;
    this.client = options.rpcEnabled() ? vertx.createHttpClient(new HttpClientOptions()
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, options.timeoutMs())).setKeepAlive(true),
      new PoolOptions().setHttp1MaxSize(options.maxConnections()).setMaxWaitQueueSize(options.maxInFlight()))
      : null;
    for (Outcome outcome : Outcome.values()) {
      outcomes.put(outcome, Counter.builder("switchboard.proxy.calls").description("Calls to the application's backend, by hook and outcome")
        .tag("hook", "rpc").tag("outcome", outcome.name().toLowerCase(java.util.Locale.ROOT)).register(registry));
    }
    latency = Timer.builder("switchboard.proxy.latency").description("From a hook's request to the backend's answer")
      .tag("hook", "rpc").publishPercentileHistogram()
      .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30)).register(registry);
  }

  /** Calls under way now. */
  public int inFlight() {
    return inFlight;
  }

  /**
   * Asks the backend. Never fails: every outcome is an {@link Answer}.
   *
   * @param clientId the connection id; {@code user} its user (null when anonymous)
   */
  public Future<Answer> call(String method, String dataJson, String clientId, String user) {
    if (client == null) {
      return Future.succeededFuture(Answer.error(ErrorCode.SERVICE_UNAVAILABLE, "no RPC backend is configured", null));
    }
    if (inFlight >= options.maxInFlight()) {
      outcomes.get(Outcome.OVER_LIMIT).increment();
      return Future.succeededFuture(Answer.error(ErrorCode.LIMIT_REACHED,
        "too many calls to the backend under way on this gateway (" + options.maxInFlight() + "); try again later", null));
    }
    inFlight++;
    long started = System.nanoTime();
    // data is the client's JSON as it came (checked by the parser): spliced in, not decoded again.
    String body = "{\"method\":" + Json.encode(method) + ",\"data\":" + dataJson + ",\"client\":" + Json.encode(clientId)
      + ",\"user\":" + Json.encode(user) + "}";
    RequestOptions request = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(options.rpcUrl())
      .setConnectTimeout(options.timeoutMs()).setIdleTimeout(options.timeoutMs()).putHeader("content-type", "application/json");
    return client.request(request)
      .compose(sent -> sent.send(Buffer.buffer(body)).compose(response -> read(sent, response)))
      .transform(ar -> {
        inFlight--;
        latency.record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
        Answer answer = ar.succeeded() ? answer(method, ar.result()) : failure(method, ar.cause());
        return Future.succeededFuture(answer);
      });
  }

  /** A status and body, or a failure; an answer over {@code maxResponseBytes} cuts the request. */
  private record Response(int status, Buffer body, boolean tooLarge) {
  }

  private Future<Response> read(HttpClientRequest request, HttpClientResponse response) {
    Promise<Response> read = Promise.promise();
    Buffer body = Buffer.buffer();
    int max = options.maxResponseBytes();
    response.handler(chunk -> {
      if (body.length() + chunk.length() > max) {
        if (read.tryComplete(new Response(response.statusCode(), null, true))) {
          request.reset();
        }
        return;
      }
      body.appendBuffer(chunk);
    });
    response.endHandler(v -> read.tryComplete(new Response(response.statusCode(), body, false)));
    response.exceptionHandler(read::tryFail);
    return read.future();
  }

  private Answer answer(String method, Response response) {
    if (response.tooLarge()) {
      outcomes.get(Outcome.FAILED).increment();
      log.warn("rpc method={} backend answer over maxResponseBytes {}", method, options.maxResponseBytes());
      return Answer.error(ErrorCode.BACKEND_ERROR, "the backend's answer is too large", null);
    }
    Buffer body = response.body();
    if (response.status() != 200) {
      outcomes.get(Outcome.FAILED).increment();
      log.warn("rpc method={} backend answered HTTP {}", method, response.status());
      return Answer.error(ErrorCode.BACKEND_ERROR, "the backend failed (HTTP " + response.status() + ")", null);
    }
    JsonObject json;
    try {
      json = body.length() == 0 ? null : body.toJsonObject();
    } catch (DecodeException | ClassCastException e) {
      json = null;
    }
    if (json == null) {
      outcomes.get(Outcome.FAILED).increment();
      log.warn("rpc method={} backend answer is not a JSON object", method);
      return Answer.error(ErrorCode.BACKEND_ERROR, "the backend's answer is not a JSON object", null);
    }
    Object error = json.getValue("error");
    if (error instanceof JsonObject refusal) {
      outcomes.get(Outcome.REFUSED).increment();
      Object reason = refusal.getValue("reason");
      return Answer.error(ErrorCode.BACKEND_ERROR, String.valueOf(refusal.getValue("message", "refused by the backend")),
        reason == null ? null : String.valueOf(reason));
    }
    if (error != null) {
      outcomes.get(Outcome.FAILED).increment();
      return Answer.error(ErrorCode.BACKEND_ERROR, "the backend's 'error' must be an object", null);
    }
    outcomes.get(Outcome.ANSWERED).increment();
    return Answer.data(Json.encode(json.getValue("data")));
  }

  private Answer failure(String method, Throwable cause) {
    // Vert.x's idle timeout fails the request with a java.util.concurrent.TimeoutException.
    if (cause instanceof TimeoutException) {
      outcomes.get(Outcome.TIMEOUT).increment();
      log.warn("rpc method={} backend silent for {} ms", method, options.timeoutMs());
      return Answer.error(ErrorCode.TIMEOUT, "the backend did not answer within " + options.timeoutMs()
        + " ms; the call may have taken effect", null);
    }
    outcomes.get(Outcome.UNREACHABLE).increment();
    log.warn("rpc method={} backend not reachable: {}", method, cause.toString());
    return Answer.error(ErrorCode.SERVICE_UNAVAILABLE, "the backend is not reachable", null);
  }

  public void close() {
    if (client != null) {
      client.close();
    }
  }
}
