package io.github.switchboard.chat;

import com.hazelcast.config.RingbufferConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.ringbuffer.OverflowPolicy;
import com.hazelcast.ringbuffer.ReadResultSet;
import com.hazelcast.ringbuffer.Ringbuffer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;

/**
 * History in the cluster: one Hazelcast Ringbuffer per room (capacity N, backed up on another
 * member), so it outlives the chat instance that wrote it. The ringbuffer's own sequence is the
 * room's seq minus one, so seq needs no counter of its own.
 *
 * <p>Hazelcast calls block, so they run on worker threads; the caller orders appends per room.
 */
final class HazelcastRoomHistory implements RoomHistory {

  static final String PREFIX = "switchboard.chat.room.";
  private static final int READ_BATCH = 1000;

  private final Vertx vertx;
  private final HazelcastInstance hazelcast;

  HazelcastRoomHistory(Vertx vertx, HazelcastInstance hazelcast, int capacity) {
    this.vertx = vertx;
    this.hazelcast = hazelcast;
    // Dynamic config: every member learns it, so the capacity is the same whoever creates a room.
    hazelcast.getConfig().addRingBufferConfig(new RingbufferConfig(PREFIX + "*")
      .setCapacity(capacity).setBackupCount(1).setTimeToLiveSeconds(0));
  }

  private Ringbuffer<String> ring(String room) {
    return hazelcast.getRingbuffer(PREFIX + room);
  }

  @Override
  public Future<JsonObject> append(String room, LongFunction<JsonObject> build) {
    return vertx.executeBlocking(() -> {
      Ringbuffer<String> ring = ring(room);
      long seq = ring.tailSequence() + 2;
      JsonObject message = build.apply(seq);
      long stored = ring.addAsync(message.encode(), OverflowPolicy.OVERWRITE).toCompletableFuture().get();
      if (stored + 1 != seq) {
        throw new IllegalStateException("room " + room + " seq " + seq + " stored at " + (stored + 1)
          + ": two writers on one room");
      }
      return message;
    }, false);
  }

  @Override
  public Future<Page> since(String room, long afterSeq) {
    return vertx.executeBlocking(() -> {
      Ringbuffer<String> ring = ring(room);
      // Ring sequence s holds seq s + 1, so the first message asked for is at ring sequence
      // afterSeq. The tail is read before the head: an append in between can only make the
      // head newer, which errs towards "incomplete", never towards a false "complete".
      long tail = ring.tailSequence();
      long head = ring.headSequence();
      boolean complete = afterSeq >= head && afterSeq <= tail + 1;
      List<JsonObject> out = new ArrayList<>();
      long from = Math.max(afterSeq, head);
      // Hazelcast refuses a read of more items than the ring holds (the default history is 100).
      int batchSize = (int) Math.min(READ_BATCH, ring.capacity());
      while (from <= tail) {
        ReadResultSet<String> batch = ring.readManyAsync(from, 0, batchSize, null).toCompletableFuture().get();
        if (batch.readCount() == 0) {
          break;
        }
        // Appends that overwrote the start of the read since the head was read do not fail the
        // read: Hazelcast starts it at the new oldest item instead. What is gone is gone; the
        // page says it is not complete.
        if (batch.getSequence(0) != from) {
          complete = false;
        }
        for (String item : batch) {
          out.add(new JsonObject(item));
        }
        from = batch.getNextSequenceToReadFrom();
      }
      return new Page(out, complete);
    }, false);
  }
}
