package io.github.switchboard.coordination;

import io.github.switchboard.coordination.fence.LocalRoleFence;
import io.github.switchboard.coordination.fence.RoleFence;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/** Fenced leadership: tokens, and giving the role up when the quorum goes or a store refuses. */
class LeadershipTest {

  private Vertx vertx;
  /** The event loop the leadership runs on. */
  private Context context;
  /** The data members this instance sees. */
  private final AtomicInteger seen = new AtomicInteger();
  private final List<Long> tokens = new CopyOnWriteArrayList<>();
  private final List<String> lost = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private void see(int dataMembers) {
    seen.set(dataMembers);
  }

  private Leadership leadership(RoleFence fence) {
    Leadership leadership = new Leadership(vertx, "test", 200, fence, ClusterQuorum.counting(seen::get, 2));
    context = vertx.getOrCreateContext();
    context.runOnContext(v -> leadership.start(tokens::add, lost::add));
    return leadership;
  }

  private static void until(String what, BooleanSupplier condition) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waiting for %s", what).isLessThan(deadline);
      TimeUnit.MILLISECONDS.sleep(10);
    }
  }

  @Test
  void noRoleIsTakenWithoutTheQuorumAndItIsTakenWhenTheQuorumComes() throws Exception {
    see(1);
    Leadership leadership = leadership(new LocalRoleFence(vertx));
    // A standby that sees too little of the cluster never asks: still nothing after several checks.
    vertx.timer(3 * Leadership.QUORUM_CHECK_MS).await(5, TimeUnit.SECONDS);
    assertThat(leadership.isActive()).isFalse();
    assertThat(tokens).isEmpty();

    see(2);
    until("active", () -> leadership.isActive() && !tokens.isEmpty());
    assertThat(tokens).containsExactly(1L);
    assertThat(leadership.token()).isEqualTo(1);
  }

  @Test
  void losingTheQuorumStandsTheActiveInstanceByAndTheNextTermHasAGreaterToken() throws Exception {
    see(3);
    Leadership leadership = leadership(new LocalRoleFence(vertx));
    until("active", () -> leadership.isActive() && !tokens.isEmpty());

    see(1);
    until("the role given up", () -> !lost.isEmpty());
    assertThat(leadership.isActive()).isFalse();
    assertThat(leadership.token()).isZero();
    assertThat(lost.get(0)).contains("1 data member seen, 2 needed");

    see(2);
    until("active again", () -> tokens.size() == 2);
    assertThat(tokens).containsExactly(1L, 2L);
  }

  @Test
  void aRefusedWriteReportedByTheOwnerGivesTheRoleUpAndItIsAskedForAgain() throws Exception {
    see(2);
    Leadership leadership = leadership(new LocalRoleFence(vertx));
    until("active", () -> leadership.isActive() && !tokens.isEmpty());

    context.runOnContext(v -> leadership.lost("a store saw token 7"));
    until("the role given up", () -> lost.contains("a store saw token 7"));
    until("active again with a new token", () -> tokens.size() == 2);
    assertThat(tokens.get(1)).isGreaterThan(tokens.get(0));
  }

  @Test
  void anInstanceWhoseProcessStalledGivesTheRoleUpBeforeActingOnIt() throws Exception {
    see(2);
    Leadership leadership = leadership(new LocalRoleFence(vertx));
    until("active", () -> leadership.isActive() && !tokens.isEmpty());
    assertThat(leadership.current()).isTrue();

    // A freeze as the process sees it: its event loop does not run for longer than STALL_MS,
    // then the first thing that runs asks whether it may act.
    // Null until the frozen task has asked: current() reports the loss (to `lost`) before it
    // returns, so waiting on `lost` alone could read the answer before it is written.
    AtomicReference<Boolean> mayAct = new AtomicReference<>();
    context.runOnContext(v -> {
      long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Leadership.STALL_MS + 500);
      while (System.nanoTime() < end) {
        Thread.onSpinWait();
      }
      mayAct.set(leadership.current());
    });
    until("the frozen task asked whether it may act", () -> mayAct.get() != null);
    assertThat(mayAct.get()).isFalse();
    until("the role given up", () -> !lost.isEmpty());
    assertThat(lost.get(0)).contains("did not run for");
    until("active again with a new token", () -> tokens.size() == 2);
    assertThat(tokens.get(1)).isGreaterThan(tokens.get(0));
  }

  @Test
  void withoutATokenTheInstanceIsNotActiveAndTriesAgain() throws Exception {
    see(2);
    AtomicBoolean storeUp = new AtomicBoolean(false);
    LocalRoleFence local = new LocalRoleFence(vertx);
    RoleFence flaky = role -> storeUp.get() ? local.next(role) : Future.failedFuture("no quorum");
    Leadership leadership = leadership(flaky);
    vertx.timer(500).await(5, TimeUnit.SECONDS);
    assertThat(leadership.isActive()).isFalse();

    storeUp.set(true);
    until("active once a token can be drawn", () -> !tokens.isEmpty());
    assertThat(tokens).containsExactly(1L);
  }
}
