package io.github.switchboard.protocol;

import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

import java.util.Locale;

/**
 * How a service refuses a request on the event bus, and how a gateway turns the refusal into an
 * error frame. A service fails the message with {@code "<code>: <text>"}; a missing service
 * becomes {@code service_unavailable} (nothing was done), a silent one {@code timeout} (the
 * outcome is unknown: the request may have taken effect before the answer was lost).
 */
public final class ServiceErrors {

  /** Failure code on the event bus for a refusal the client caused. */
  public static final int CLIENT_ERROR = 400;

  private ServiceErrors() {
  }

  public record Failure(ErrorCode code, String message) {
  }

  /** Called by a service to refuse a request with a code the client will see. */
  public static void refuse(Message<?> message, ErrorCode code, String text) {
    message.fail(CLIENT_ERROR, code.code() + ": " + text);
  }

  public static Failure classify(Throwable error) {
    if (error instanceof ReplyException reply) {
      if (reply.failureType() == ReplyFailure.NO_HANDLERS) {
        return new Failure(ErrorCode.SERVICE_UNAVAILABLE, "the service is not available, try again later");
      }
      if (reply.failureType() == ReplyFailure.TIMEOUT) {
        return new Failure(ErrorCode.TIMEOUT,
          "the service did not answer in time; the request may have taken effect (check before resending)");
      }
      String text = reply.getMessage() == null ? "" : reply.getMessage();
      int colon = text.indexOf(": ");
      if (reply.failureCode() == CLIENT_ERROR && colon > 0) {
        try {
          ErrorCode code = ErrorCode.valueOf(text.substring(0, colon).toUpperCase(Locale.ROOT));
          return new Failure(code, text.substring(colon + 2));
        } catch (IllegalArgumentException ignored) {
          // an unknown code is a service bug, reported as such below
        }
      }
    }
    return new Failure(ErrorCode.INTERNAL_ERROR, "the service failed to handle the request");
  }
}
