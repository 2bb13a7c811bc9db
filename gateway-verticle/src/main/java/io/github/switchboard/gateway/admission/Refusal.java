package io.github.switchboard.gateway.admission;

import io.github.switchboard.protocol.ErrorCode;

import java.util.Map;

/**
 * An upgrade the gateway will not accept, and how the HTTP answer says so: status, error code,
 * message and any extra headers ({@code WWW-Authenticate}, {@code Sec-WebSocket-Version}). A
 * failure of {@link Admission#admit}'s future; no stack trace, it is not a bug.
 */
public final class Refusal extends RuntimeException {

  private final int status;
  private final ErrorCode code;
  private final Map<String, String> headers;
  private final String reason;

  /** @param reason the backend's own code for a refusal of its connect hook (null otherwise) */
  public Refusal(int status, ErrorCode code, String message, Map<String, String> headers, String reason) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.headers = Map.copyOf(headers);
    this.reason = reason;
  }

  public Refusal(int status, ErrorCode code, String message, Map<String, String> headers) {
    this(status, code, message, headers, null);
  }

  public Refusal(int status, ErrorCode code, String message) {
    this(status, code, message, Map.of());
  }

  public int status() {
    return status;
  }

  public ErrorCode code() {
    return code;
  }

  public Map<String, String> headers() {
    return headers;
  }

  public String reason() {
    return reason;
  }
}
