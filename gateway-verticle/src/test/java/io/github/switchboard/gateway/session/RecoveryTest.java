package io.github.switchboard.gateway.session;

import io.github.switchboard.protocol.Delivery;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What a session holds back while a group's history replays, per group, and what it hands back. */
class RecoveryTest {

  private final Session session = new Session("c1", new EmbeddedChannel(), Endpoint.MULTIPLEX, "/ws", null);

  private static Delivery live(long seq) {
    return new Delivery(Delivery.Kind.JSON, seq, "s", true, 0, ("{\"n\":" + seq + "}").getBytes());
  }

  @Test
  void deliveriesOfARecoveringGroupAreHeldInOrderAndHandedBackOnce() {
    session.beginRecovery("chat.a");
    assertThat(session.recovering("chat.a")).isTrue();
    assertThat(session.recovering("chat.b")).isFalse();
    session.hold("chat.a", live(5));
    session.hold("chat.a", live(6));

    Recovery.Held held = session.endRecovery("chat.a");
    assertThat(held.deliveries()).extracting(Delivery::seq).containsExactly(5L, 6L);
    assertThat(held.overflowed()).isFalse();
    assertThat(session.recovering("chat.a")).isFalse();
    assertThat(session.endRecovery("chat.a").deliveries()).as("nothing twice").isEmpty();
  }

  @Test
  void groupsRecoverIndependently() {
    session.beginRecovery("chat.a");
    session.beginRecovery("chat.b");
    session.hold("chat.a", live(1));
    session.hold("chat.b", live(7));
    assertThat(session.endRecovery("chat.b").deliveries()).extracting(Delivery::seq).containsExactly(7L);
    assertThat(session.recovering("chat.a")).isTrue();
    assertThat(session.endRecovery("chat.a").deliveries()).extracting(Delivery::seq).containsExactly(1L);
  }

  @Test
  void pastTheCapDeliveriesAreDroppedAndTheRecoveryReportsIt() {
    session.beginRecovery("chat.a");
    for (int i = 0; i < Recovery.MAX_HELD + 5; i++) {
      session.hold("chat.a", live(i));
    }
    Recovery.Held held = session.endRecovery("chat.a");
    assertThat(held.deliveries()).hasSize(Recovery.MAX_HELD);
    assertThat(held.overflowed()).isTrue();
  }

  @Test
  void endingARecoveryThatNeverBeganHandsBackNothing() {
    Recovery.Held held = session.endRecovery("chat.z");
    assertThat(held.deliveries()).isEmpty();
    assertThat(held.overflowed()).isFalse();
  }
}
