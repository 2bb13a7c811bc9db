package io.github.switchboard.gateway;

import io.vertx.core.Future;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Blocks a test thread on a Vert.x future, with a deadline. */
public final class Await {

  public static final long SECONDS = 15;

  private Await() {
  }

  public static <T> T result(Future<T> future) {
    try {
      return future.await(SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("no result within " + SECONDS + " s", e);
    }
  }
}
