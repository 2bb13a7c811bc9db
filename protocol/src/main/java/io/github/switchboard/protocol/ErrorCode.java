package io.github.switchboard.protocol;

import java.util.Locale;

/**
 * The error codes of the wire contract. Each appears as {@code "code"} in an error frame or in
 * the JSON body of an HTTP error; docs/protocol.md lists what each one means.
 */
public enum ErrorCode {
  /** The frame is not JSON, or not a JSON object. */
  INVALID_JSON,
  /** The frame's {@code type} is not one this endpoint knows. */
  UNKNOWN_TYPE,
  /** A field is missing or has the wrong type or value. */
  INVALID_FIELD,
  /** A group name does not match {@code [A-Za-z0-9_.:-]{1,128}}. */
  INVALID_GROUP,
  /** The group exists but this client may not subscribe or publish to it. */
  FORBIDDEN,
  /** The client sends faster than its rate limit allows. */
  RATE_LIMITED,
  /** A payload is larger than the configured maximum. */
  TOO_LARGE,
  /**
   * A bound on state that clients name is reached (chat rooms with a history, in the cluster or
   * the embedded process): nothing was done. Rooms that exist go on; a new one is accepted once
   * others have expired.
   */
  LIMIT_REACHED,
  /** The frame type (text or binary) is not accepted on this endpoint. */
  UNSUPPORTED_FRAME,
  /** Messages were dropped for this socket because it did not read fast enough. */
  SLOW_CONSUMER,
  /** No instance of the service that owns the request (chat, scores) is there: nothing was done. */
  SERVICE_UNAVAILABLE,
  /**
   * The service did not answer in time. The outcome is unknown: a chat message may have been
   * stored (and published) all the same. Not "failed": a client that resends blindly may
   * create a duplicate.
   */
  TIMEOUT,
  /** The resource (an event, a room) does not exist. */
  NOT_FOUND,
  /** HTTP: the path exists, but not for this method (405, with {@code Allow}). */
  METHOD_NOT_ALLOWED,
  /** Missing or wrong credentials (HTTP publish API key). */
  UNAUTHORIZED,
  /**
   * The application's backend refused or failed a request it was asked about (an {@code rpc}):
   * the frame carries its message, and its own code in {@code reason} when it gave one.
   */
  BACKEND_ERROR,
  /**
   * HTTP 409: a publish with the same idempotency key is under way, or ended with an unknown
   * outcome (a {@link #TIMEOUT}): it may have been delivered, so it is not done again.
   */
  CONFLICT,
  /** A bug on our side; the log has the details. */
  INTERNAL_ERROR;

  private final String code = name().toLowerCase(Locale.ROOT);

  /** The snake_case word that goes on the wire. */
  public String code() {
    return code;
  }
}
