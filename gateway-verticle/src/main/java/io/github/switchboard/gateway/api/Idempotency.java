package io.github.switchboard.gateway.api;

import io.github.switchboard.protocol.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Supplier;

/**
 * Idempotency keys of publishes: the first call with a key claims it in a shared map (the
 * cluster's, so a retry sent to another gateway sees it; this process's when embedded) for
 * {@code idempotencyWindowMs}, runs, and records its answer there. A repeat within the window
 * gets that answer with {@code "duplicate":true} and delivers nothing. A repeat while the first
 * is still under way, or after it ended with an unknown outcome (a timeout: the message may
 * have been stored and delivered), gets 409 {@code conflict}: doing it again could deliver it
 * twice. A call that failed for sure (nothing stored) frees the key, so a retry runs.
 */
public final class Idempotency {

  /** The shared map of keys (outside {@code switchboard.*}: no quorum refusal, no merge rule). */
  public static final String MAP = "switchboard-idempotency";
  /** Longest key a caller may give. */
  public static final int MAX_KEY_LENGTH = 128;
  private static final String PENDING = "pending";
  private static final String UNKNOWN = "unknown";
  private static final Logger log = LoggerFactory.getLogger(Idempotency.class);

  private final Vertx vertx;
  private final long windowMs;

  public Idempotency(Vertx vertx, long windowMs) {
    this.vertx = vertx;
    this.windowMs = windowMs;
  }

  /** Whether a caller's key may be used: 1 to 128 printable ASCII characters. */
  public static boolean isValidKey(String key) {
    return key != null && !key.isEmpty() && key.length() <= MAX_KEY_LENGTH && key.chars().allMatch(c -> c > 0x20 && c < 0x7f);
  }

  /**
   * Runs {@code action} unless the key was used within the window.
   *
   * @param key the caller's key with its scope (the call and group it was given for)
   */
  public Future<JsonObject> once(String key, Supplier<Future<JsonObject>> action) {
    return vertx.sharedData().<String, String>getAsyncMap(MAP)
      .compose(map -> map.putIfAbsent(key, PENDING, windowMs)
        .recover(e -> {
          log.warn("idempotency key {} could not be claimed: {}", key, e.getMessage());
          return Future.failedFuture(new ApiError(503, ErrorCode.SERVICE_UNAVAILABLE,
            "the idempotency key could not be checked; nothing was published; send it again"));
        })
        .compose(prior -> prior == null ? run(map, key, action) : repeat(key, prior)));
  }

  private Future<JsonObject> run(AsyncMap<String, String> map, String key, Supplier<Future<JsonObject>> action) {
    return action.get()
      .andThen(ar -> {
        if (ar.succeeded()) {
          map.put(key, ar.result().encode(), windowMs)
            .onFailure(e -> log.warn("idempotency key {}: answer not recorded, a repeat gets 409: {}", key, e.getMessage()));
        } else if (ApiError.of(ar.cause()).code() == ErrorCode.TIMEOUT) {
          map.put(key, UNKNOWN, windowMs);
        } else {
          map.remove(key);
        }
      });
  }

  private static Future<JsonObject> repeat(String key, String prior) {
    if (PENDING.equals(prior)) {
      return Future.failedFuture(new ApiError(409, ErrorCode.CONFLICT,
        "a publish with this idempotency key is under way; ask again once it is answered"));
    }
    if (UNKNOWN.equals(prior)) {
      return Future.failedFuture(new ApiError(409, ErrorCode.CONFLICT,
        "a publish with this idempotency key timed out: it may have been delivered, so it is not done again; "
          + "read the group's history to know"));
    }
    log.debug("idempotency key {} repeated: answered, not delivered again", key);
    return Future.succeededFuture(new JsonObject(prior).put("duplicate", true));
  }
}
