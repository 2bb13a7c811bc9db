package io.github.switchboard.gateway.stream;

import io.github.switchboard.coordination.StoreUnavailableException;
import io.github.switchboard.coordination.history.StreamLimitException;
import io.github.switchboard.protocol.ErrorCode;

/** What a client is told when a publish to a stream group is not stored, or its history not read. */
public final class StreamErrors {

  private StreamErrors() {
  }

  /** The error code, message and HTTP status of a refused stream publish. */
  public record Refusal(ErrorCode code, String message, int httpStatus) {
  }

  public static Refusal refusal(String group, Throwable cause) {
    if (cause instanceof StreamLimitException limit) {
      return new Refusal(ErrorCode.LIMIT_REACHED, limit.getMessage() + "; try again later", 503);
    }
    if (cause instanceof StoreUnavailableException unavailable && unavailable.indeterminate()) {
      // Never an acknowledgement: the client does not know the offset, and must check before resending.
      return new Refusal(ErrorCode.TIMEOUT, "the message may or may not be stored (" + unavailable.getMessage()
        + "); not acknowledged", 504);
    }
    if (cause instanceof StoreUnavailableException unavailable) {
      return new Refusal(ErrorCode.SERVICE_UNAVAILABLE, "the message was not stored: " + unavailable.getMessage()
        + "; try another gateway or again later", 503);
    }
    return new Refusal(ErrorCode.SERVICE_UNAVAILABLE, "the message was not stored (stream storage unavailable); "
      + "it was not published", 503);
  }

  /** A history read that failed: the store is unavailable now (503), or broke (500). */
  public static Refusal readRefusal(String group, Throwable cause) {
    if (cause instanceof StoreUnavailableException unavailable) {
      return new Refusal(ErrorCode.SERVICE_UNAVAILABLE, "the history of '" + group + "' cannot be read now: "
        + unavailable.getMessage() + "; try again later", 503);
    }
    return new Refusal(ErrorCode.INTERNAL_ERROR, "the history of '" + group + "' could not be read", 500);
  }
}
