package io.github.switchboard.launcher;

import io.vertx.core.transport.Transport;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TransportSelectorTest {

  @Test
  void autoTakesEpollWhereItLoadsAndNioElsewhere() {
    TransportSelector.Choice here = TransportSelector.select(null, name -> name.equals("epoll") ? Transport.EPOLL : null);
    // This build bundles the epoll library for linux-x86_64; other machines fall back to NIO.
    boolean epollHere = Transport.EPOLL != null && Transport.EPOLL.available();
    assertThat(here.transport().name()).isEqualTo(epollHere ? "epoll" : "nio");

    TransportSelector.Choice missing = TransportSelector.select("auto", name -> null);
    assertThat(missing.transport()).isSameAs(Transport.NIO);
    assertThat(missing.reason()).contains("epoll unavailable").contains("not on the class path");
  }

  @Test
  void nioWhenAskedFor() {
    assertThat(TransportSelector.select(" NIO ", name -> Transport.EPOLL).transport()).isSameAs(Transport.NIO);
  }

  @Test
  void unknownNameIsRefused() {
    assertThatThrownBy(() -> TransportSelector.select("kqueue", name -> null))
      .isInstanceOf(IllegalArgumentException.class)
      .hasMessageContaining("SWITCHBOARD_TRANSPORT=kqueue is not one of [auto, nio, epoll, io_uring]");
  }

  @Test
  void anExplicitNativeTransportThatCannotLoadStopsTheStartUp() {
    assertThatThrownBy(() -> TransportSelector.select("io_uring", name -> null))
      .isInstanceOf(IllegalArgumentException.class)
      .hasMessageContaining("SWITCHBOARD_TRANSPORT=io_uring but that transport is not available here");
  }
}
