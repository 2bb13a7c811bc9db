package io.github.switchboard.protocol;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** How a gateway reads a service's answer: nothing done, outcome unknown, refused, or broken. */
class ServiceErrorsTest {

  @Test
  void noServiceMeansNothingWasDone() {
    assertThat(ServiceErrors.classify(new ReplyException(ReplyFailure.NO_HANDLERS, "none")).code())
      .isEqualTo(ErrorCode.SERVICE_UNAVAILABLE);
  }

  @Test
  void aSilentServiceLeavesTheOutcomeUnknown() {
    ServiceErrors.Failure failure = ServiceErrors.classify(new ReplyException(ReplyFailure.TIMEOUT, "timed out"));
    assertThat(failure.code()).isEqualTo(ErrorCode.TIMEOUT);
    assertThat(failure.message()).contains("may have taken effect");
  }

  @Test
  void aRefusalKeepsTheServicesCodeAndText() {
    ServiceErrors.Failure failure = ServiceErrors.classify(
      new ReplyException(ReplyFailure.RECIPIENT_FAILURE, ServiceErrors.CLIENT_ERROR, "too_large: message longer than 5 characters"));
    assertThat(failure).isEqualTo(new ServiceErrors.Failure(ErrorCode.TOO_LARGE, "message longer than 5 characters"));
  }

  @Test
  void anythingElseIsAnInternalError() {
    assertThat(ServiceErrors.classify(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 500, "boom")).code())
      .isEqualTo(ErrorCode.INTERNAL_ERROR);
    assertThat(ServiceErrors.classify(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 400, "nonsense: x")).code())
      .isEqualTo(ErrorCode.INTERNAL_ERROR);
    assertThat(ServiceErrors.classify(new IllegalStateException()).code()).isEqualTo(ErrorCode.INTERNAL_ERROR);
  }
}
