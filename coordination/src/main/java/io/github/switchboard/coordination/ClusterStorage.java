package io.github.switchboard.coordination;

import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.util.Optional;

/**
 * The Hazelcast instance under a clustered Vert.x: state that must survive the death of one
 * process (chat history, score events) lives in its data structures. Empty when not clustered.
 */
public final class ClusterStorage {

  private ClusterStorage() {
  }

  public static Optional<HazelcastInstance> hazelcast(Vertx vertx) {
    if (!vertx.isClustered() || !(vertx instanceof VertxInternal internal)) {
      return Optional.empty();
    }
    ClusterManager manager = internal.clusterManager();
    if (manager instanceof HazelcastClusterManager hazelcast) {
      return Optional.ofNullable(hazelcast.getHazelcastInstance());
    }
    return Optional.empty();
  }
}
