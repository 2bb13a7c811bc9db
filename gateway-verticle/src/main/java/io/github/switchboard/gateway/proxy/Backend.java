package io.github.switchboard.gateway.proxy;

import io.github.switchboard.gateway.config.ProxyOptions;
import io.github.switchboard.protocol.ErrorCode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * The application's backend as the hooks call it: one HTTP client per gateway, one cap on the
 * calls under way for all hooks together, and the metrics of each hook.
 *
 * <p>Every hook posts a JSON object and takes back, with HTTP 200, a JSON object: either the
 * backend's answer, or {@code {"error":{"message":..,"reason":..}}} when it refuses. Anything
 * else is the backend failing: another status or an answer that is not such an object is a
 * {@code backend_error}, no connection a {@code service_unavailable}, silence longer than
 * {@code timeoutMs} a {@code timeout}.
 *
 * <p>At most {@code maxInFlight} calls are under way; one more is refused at once with
 * {@code limit_reached}. A call counts until its HTTP request ends (answered, failed, or cut by
 * the idle timeout, which closes its connection), so a backend that never answers holds at most
 * that many requests in the gateway, and nothing else waits on it: the calls are asynchronous
 * on the gateway's event loop. Not thread-safe: used on that event loop.
 */
public final class Backend {

  private static final Logger log = LoggerFactory.getLogger(Backend.class);

  /** The hooks, as named in the metrics' {@code hook} tag and in the logs. */
  public enum Hook { RPC, CONNECT, SUBSCRIBE, PUBLISH;

    String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** What a call ended with, as counted in {@code switchboard_proxy_calls_total{outcome}}. */
  enum Outcome { ANSWERED, REFUSED, FAILED, UNREACHABLE, TIMEOUT, OVER_LIMIT }

  /**
   * The backend's answer ({@code answer} non-null), its refusal ({@code error} is
   * {@link ErrorCode#BACKEND_ERROR} and {@code refusal} holds its {@code error} object), or why
   * there is none ({@code error} with a message; {@code refusal} null).
   */
  public record Reply(JsonObject answer, ErrorCode error, String message, String reason, JsonObject refusal) {

    static Reply of(JsonObject answer) {
      return new Reply(answer, null, null, null, null);
    }

    static Reply failed(ErrorCode code, String message) {
      return new Reply(null, code, message, null, null);
    }

    public boolean ok() {
      return answer != null;
    }

    /** True when the backend said no (as opposed to failing to answer). */
    public boolean refused() {
      return refusal != null;
    }
  }

  private final Vertx vertx;
  private final ProxyOptions options;
  private final HttpClient client;
  private final Map<Hook, Map<Outcome, Counter>> outcomes = new EnumMap<>(Hook.class);
  private final Map<Hook, Timer> latency = new EnumMap<>(Hook.class);
  private int inFlight;

  public Backend(Vertx vertx, ProxyOptions options, MeterRegistry registry) {
    this.vertx = vertx;
    this.options = options;
    this.client = options.anyHook() ? vertx.createHttpClient(new HttpClientOptions()
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, options.timeoutMs())).setKeepAlive(true),
      new PoolOptions().setHttp1MaxSize(options.maxConnections()).setMaxWaitQueueSize(options.maxInFlight()))
      : null;
    for (Hook hook : Hook.values()) {
      Map<Outcome, Counter> counters = new EnumMap<>(Outcome.class);
      for (Outcome outcome : Outcome.values()) {
        counters.put(outcome, Counter.builder("switchboard.proxy.calls").description("Calls to the application's backend, by hook and outcome")
          .tag("hook", hook.tag()).tag("outcome", outcome.name().toLowerCase(Locale.ROOT)).register(registry));
      }
      outcomes.put(hook, counters);
      latency.put(hook, Timer.builder("switchboard.proxy.latency").description("From a hook's request to the backend's answer")
        .tag("hook", hook.tag()).publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30)).register(registry));
    }
  }

  /** Calls under way now, all hooks together. */
  public int inFlight() {
    return inFlight;
  }

  /**
   * Posts {@code body} (JSON text) to {@code url}. Never fails: every outcome is a {@link Reply}.
   *
   * @param what  names the call in log lines (e.g. {@code "rpc method=x"})
   * @param check what is wrong with an answer the hook cannot use (a field of the wrong type),
   *              or null when it is fine: such an answer is the backend failing
   */
  public Future<Reply> post(Hook hook, String url, String body, String what, Function<JsonObject, String> check) {
    if (client == null || url.isEmpty()) {
      return Future.succeededFuture(Reply.failed(ErrorCode.SERVICE_UNAVAILABLE, "no " + hook.tag() + " backend is configured"));
    }
    if (inFlight >= options.maxInFlight()) {
      count(hook, Outcome.OVER_LIMIT);
      return Future.succeededFuture(Reply.failed(ErrorCode.LIMIT_REACHED,
        "too many calls to the backend under way on this gateway (" + options.maxInFlight() + "); try again later"));
    }
    inFlight++;
    long started = System.nanoTime();
    RequestOptions request = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(url)
      .setConnectTimeout(options.timeoutMs()).setIdleTimeout(options.timeoutMs()).putHeader("content-type", "application/json");
    // The idle timeout ends a silent call; this one ends a call that trickles bytes: no call
    // outlives timeoutMs, so the cap counts calls the clients still wait for.
    Promise<Response> done = Promise.promise();
    long deadline = vertx.setTimer(options.timeoutMs(), id -> done.tryFail(new TimeoutException("over timeoutMs")));
    client.request(request)
      .compose(sent -> {
        done.future().onFailure(e -> sent.reset());
        return sent.send(Buffer.buffer(body)).compose(response -> read(sent, response));
      })
      .onComplete(ar -> {
        vertx.cancelTimer(deadline);
        if (ar.succeeded()) {
          done.tryComplete(ar.result());
        } else {
          done.tryFail(ar.cause());
        }
      });
    return done.future()
      .transform(ar -> {
        inFlight--;
        latency.get(hook).record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        return Future.succeededFuture(ar.succeeded() ? reply(hook, what, ar.result(), check) : failure(hook, what, ar.cause()));
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

  private Reply reply(Hook hook, String what, Response response, Function<JsonObject, String> check) {
    if (response.tooLarge()) {
      count(hook, Outcome.FAILED);
      log.warn("{} backend answer over maxResponseBytes {}", what, options.maxResponseBytes());
      return Reply.failed(ErrorCode.BACKEND_ERROR, "the backend's answer is too large");
    }
    if (response.status() != 200) {
      count(hook, Outcome.FAILED);
      log.warn("{} backend answered HTTP {}", what, response.status());
      return Reply.failed(ErrorCode.BACKEND_ERROR, "the backend failed (HTTP " + response.status() + ")");
    }
    JsonObject json;
    try {
      json = response.body().length() == 0 ? null : response.body().toJsonObject();
    } catch (DecodeException | ClassCastException e) {
      json = null;
    }
    if (json == null) {
      count(hook, Outcome.FAILED);
      log.warn("{} backend answer is not a JSON object", what);
      return Reply.failed(ErrorCode.BACKEND_ERROR, "the backend's answer is not a JSON object");
    }
    Object error = json.getValue("error");
    if (error instanceof JsonObject refusal) {
      count(hook, Outcome.REFUSED);
      Object reason = refusal.getValue("reason");
      return new Reply(null, ErrorCode.BACKEND_ERROR, String.valueOf(refusal.getValue("message", "refused by the backend")),
        reason == null ? null : String.valueOf(reason), refusal);
    }
    if (error != null) {
      count(hook, Outcome.FAILED);
      log.warn("{} backend answer's 'error' is not an object", what);
      return Reply.failed(ErrorCode.BACKEND_ERROR, "the backend's 'error' must be an object");
    }
    String problem = check.apply(json);
    if (problem != null) {
      count(hook, Outcome.FAILED);
      log.warn("{} backend answer unusable: {}", what, problem);
      return Reply.failed(ErrorCode.BACKEND_ERROR, "the backend's answer is malformed: " + problem);
    }
    count(hook, Outcome.ANSWERED);
    return Reply.of(json);
  }

  private Reply failure(Hook hook, String what, Throwable cause) {
    // Vert.x's idle timeout fails the request with a java.util.concurrent.TimeoutException.
    if (cause instanceof TimeoutException) {
      count(hook, Outcome.TIMEOUT);
      log.warn("{} backend did not answer within {} ms", what, options.timeoutMs());
      return Reply.failed(ErrorCode.TIMEOUT, "the backend did not answer within " + options.timeoutMs()
        + " ms; the call may have taken effect");
    }
    count(hook, Outcome.UNREACHABLE);
    log.warn("{} backend not reachable: {}", what, cause.toString());
    return Reply.failed(ErrorCode.SERVICE_UNAVAILABLE, "the backend is not reachable");
  }

  private void count(Hook hook, Outcome outcome) {
    outcomes.get(hook).get(outcome).increment();
  }

  public void close() {
    if (client != null) {
      client.close();
    }
  }
}
