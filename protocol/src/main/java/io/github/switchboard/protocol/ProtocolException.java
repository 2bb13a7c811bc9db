package io.github.switchboard.protocol;

/**
 * A client request that cannot be served; carries what the error frame will say.
 */
public final class ProtocolException extends RuntimeException {

  private final ErrorCode code;
  private final transient Object requestId;

  public ProtocolException(ErrorCode code, String message, Object requestId) {
    super(message, null, false, false);
    this.code = code;
    this.requestId = requestId;
  }

  public ProtocolException(ErrorCode code, String message) {
    this(code, message, null);
  }

  public ErrorCode code() {
    return code;
  }

  /** The {@code id} of the failed request, echoed in the error frame; null when it had none. */
  public Object requestId() {
    return requestId;
  }
}
