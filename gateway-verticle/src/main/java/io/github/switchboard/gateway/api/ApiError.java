package io.github.switchboard.gateway.api;

import io.github.switchboard.gateway.stream.StreamErrors;
import io.github.switchboard.protocol.ErrorCode;
import io.github.switchboard.protocol.ServiceErrors;

/**
 * Why a server API call failed, as its HTTP answer: status, error code and message. The routes
 * write it as {@code {"error":CODE,"message":TEXT}}.
 */
public final class ApiError extends RuntimeException {

  private final int status;
  private final ErrorCode code;

  public ApiError(int status, ErrorCode code, String message) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
  }

  public int status() {
    return status;
  }

  public ErrorCode code() {
    return code;
  }

  /** Whatever a call failed with, as an answer (a failure that is not an ApiError is a bug: 500). */
  public static ApiError of(Throwable e) {
    return e instanceof ApiError api ? api : new ApiError(500, ErrorCode.INTERNAL_ERROR, "request failed");
  }

  /** A failure of the chat service (or another service on the event bus). */
  public static ApiError ofService(Throwable e) {
    ServiceErrors.Failure failure = ServiceErrors.classify(e);
    int status = switch (failure.code()) {
      case SERVICE_UNAVAILABLE, LIMIT_REACHED -> 503;
      case TIMEOUT -> 504;
      case INTERNAL_ERROR -> 500;
      case TOO_LARGE -> 413;
      case NOT_FOUND -> 404;
      default -> 400;
    };
    return new ApiError(status, failure.code(), failure.message());
  }

  /** A failed history read of a stream group. */
  public static ApiError ofStreamRead(String group, Throwable e) {
    StreamErrors.Refusal refusal = StreamErrors.readRefusal(group, e);
    return new ApiError(refusal.httpStatus(), refusal.code(), refusal.message());
  }

  /** A failure of a stream group's store. */
  public static ApiError ofStream(String group, Throwable e) {
    StreamErrors.Refusal refusal = StreamErrors.refusal(group, e);
    return new ApiError(refusal.httpStatus(), refusal.code(), refusal.message());
  }
}
