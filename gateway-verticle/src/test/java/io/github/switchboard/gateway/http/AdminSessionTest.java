package io.github.switchboard.gateway.http;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AdminSessionTest {

  @Test
  void aLoginIsValidUntilItExpiresAndOnlyUnderTheKeyThatIssuedIt() {
    AdminSession sessions = new AdminSession("the-key", 60_000);
    String login = sessions.issue(1_000_000);
    assertThat(sessions.valid(login, 1_000_000)).isTrue();
    assertThat(sessions.valid(login, 1_059_999)).isTrue();
    assertThat(sessions.valid(login, 1_060_000)).as("expired").isFalse();
    assertThat(new AdminSession("another-key", 60_000).valid(login, 1_000_000)).as("key changed").isFalse();
    assertThat(new AdminSession("", 60_000).valid(new AdminSession("", 60_000).issue(0), 1)).as("an empty key works").isTrue();
  }

  @Test
  void aLoginWhoseExpiryOrMacWasEditedIsRefused() {
    AdminSession sessions = new AdminSession("the-key", 60_000);
    String login = sessions.issue(1_000_000);
    String[] parts = login.split("\\.");
    assertThat(sessions.valid(parts[0] + "." + (Long.parseLong(parts[1]) + 3_600_000) + "." + parts[2], 1_000_000))
      .as("expiry pushed back").isFalse();
    assertThat(sessions.valid(parts[0] + "." + parts[1] + "." + parts[2].substring(1) + "A", 1_000_000)).isFalse();
    assertThat(sessions.valid("v2." + parts[1] + "." + parts[2], 1_000_000)).isFalse();
    assertThat(sessions.valid("garbage", 1_000_000)).isFalse();
    assertThat(sessions.valid("v1.notanumber.x", 1_000_000)).isFalse();
    assertThat(sessions.valid(null, 1_000_000)).isFalse();
  }
}
