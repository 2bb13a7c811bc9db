package io.github.switchboard.coordination;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.PromiseInternal;

import java.util.concurrent.CompletionStage;

/**
 * Hazelcast's asynchronous results as Vert.x futures, completed on a Vert.x context.
 *
 * <p>Why not {@code Future.fromCompletionStage}: Hazelcast runs a plain {@code whenComplete}
 * callback through its default async executor, which is {@code ForkJoinPool.commonPool()} only
 * when that pool has two threads or more; with fewer (a JVM that sees one or two CPUs, as in a
 * container with a CPU limit of 2) it starts a new thread for every callback. Measured
 * (bench/run.sh, sequence scenario, all processes on one core): 435 µs of CPU per publish to a
 * stream group that way, most of it thread creation. Here the callback runs on the thread that
 * completes the Hazelcast future (a response thread, or the caller's for a local partition) and
 * only completes a promise of the context, whose listeners then run on its event loop.
 */
public final class HazelcastFutures {

  private HazelcastFutures() {
  }

  public static <T> Future<T> on(Context context, CompletionStage<T> stage) {
    PromiseInternal<T> promise = ((ContextInternal) context).promise();
    stage.whenCompleteAsync((value, failure) -> {
      if (failure != null) {
        promise.tryFail(failure);
      } else {
        promise.tryComplete(value);
      }
    }, Runnable::run);
    return promise.future();
  }
}
