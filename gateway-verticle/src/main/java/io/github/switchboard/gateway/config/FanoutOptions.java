package io.github.switchboard.gateway.config;

import io.github.switchboard.launcher.settings.Settings;

/**
 * How a gateway takes part in a group's fan-out.
 *
 * @param registrationSettleMs cluster mode: after this gateway registers a new consumer for a
 *                             group (its first socket there), the join completes this much
 *                             later ("subscribed", a room's welcome and a {@code since} history
 *                             read wait for it). Other nodes learn of a new consumer from a
 *                             Hazelcast event; a message published elsewhere before that does
 *                             not reach this gateway. 0: no wait. Not applied when embedded.
 */
public record FanoutOptions(long registrationSettleMs) {

  public static final long DEFAULT_REGISTRATION_SETTLE_MS = 250;

  static FanoutOptions from(Settings s) {
    return new FanoutOptions(s.longIn("registrationSettleMs", DEFAULT_REGISTRATION_SETTLE_MS, 0, 10_000));
  }
}
