package io.github.switchboard.gateway.cluster;

import io.github.switchboard.coordination.ClusterQuorum;
import io.github.switchboard.gateway.session.Session;
import io.github.switchboard.gateway.session.Sessions;
import io.github.switchboard.gateway.transport.CloseReason;
import io.github.switchboard.gateway.transport.SocketCloser;
import io.github.switchboard.launcher.health.Readiness;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether this gateway can serve: it sees at least the cluster's quorum of data members
 * ({@link ClusterQuorum}). A gateway cut off from them (a network split, a long freeze after
 * which the cluster expelled it) can neither deliver what the rest of the cluster publishes nor
 * store a message, and Hazelcast may take a while to merge it back; its clients are better
 * served by another gateway at once. So when the view falls below the quorum it:
 * <ul>
 *   <li>turns {@code /health/ready} to 503 {@code UNREACHABLE} (balancers stop sending clients);</li>
 *   <li>closes every socket with 1012 {@link CloseReason#CLUSTER_UNREACHABLE} (clients reconnect,
 *   to another gateway, and recover their streams with {@code since});</li>
 *   <li>refuses upgrades with 503 until it sees the quorum again (see {@link #cutOff}).</li>
 * </ul>
 * When it sees the quorum again it is ready at once; nothing else is to be done, since it kept
 * no socket (and so no group consumer) from before.
 *
 * <p>The view is read every {@value #CHECK_MS} ms on the event loop (a local read): Hazelcast
 * changes it after its heartbeat timeout ({@code hazelcast.max.no.heartbeat.seconds} in
 * cluster.xml, 6 s), so a cut-off gateway turns not ready within about 7 s.
 */
public final class ClusterWatch {

  static final long CHECK_MS = 500;
  private static final Logger log = LoggerFactory.getLogger(ClusterWatch.class);

  private final Vertx vertx;
  private final ClusterQuorum quorum;
  private final Readiness readiness;
  private final Sessions sessions;
  private final SocketCloser closer;
  private long timer = -1;

  public ClusterWatch(Vertx vertx, ClusterQuorum quorum, Readiness readiness, Sessions sessions, SocketCloser closer) {
    this.vertx = vertx;
    this.quorum = quorum;
    this.readiness = readiness;
    this.sessions = sessions;
    this.closer = closer;
  }

  public void start() {
    check();
    timer = vertx.setPeriodic(CHECK_MS, id -> check());
  }

  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  /** Whether upgrades are refused now because this gateway is cut off. */
  public boolean cutOff() {
    return readiness.isCutOff();
  }

  void check() {
    boolean present = quorum.present();
    if (!present && !readiness.isCutOff()) {
      readiness.cutOff(true);
      log.warn("Gateway cut off from the cluster ({}): not ready, closing {} sockets with {} so that their "
        + "clients reconnect elsewhere", quorum.describe(), sessions.size(), CloseReason.CLUSTER_UNREACHABLE.code());
      for (Session session : sessions.all()) {
        closer.close(session, CloseReason.CLUSTER_UNREACHABLE);
      }
    } else if (present && readiness.isCutOff()) {
      readiness.cutOff(false);
      log.info("Gateway sees the cluster again ({}): ready", quorum.describe());
    }
  }
}
