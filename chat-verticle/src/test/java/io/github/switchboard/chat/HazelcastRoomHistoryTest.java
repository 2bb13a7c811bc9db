package io.github.switchboard.chat;

import io.github.switchboard.coordination.EmbeddedHazelcast;
import com.hazelcast.config.RingbufferConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.ringbuffer.OverflowPolicy;
import com.hazelcast.ringbuffer.Ringbuffer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/** The contract on a real (single-member) Hazelcast cluster, plus what only the cluster gives. */
class HazelcastRoomHistoryTest extends RoomHistoryContract {

  private static HazelcastInstance hazelcast;
  private static Vertx vertx;

  @BeforeAll
  static void startMember() {
    hazelcast = EmbeddedHazelcast.start();
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopMember() throws Exception {
    try {
      if (vertx != null) {
        vertx.close().await(15, TimeUnit.SECONDS);
      }
    } finally {
      if (hazelcast != null) {
        hazelcast.shutdown();
      }
    }
  }

  @Override
  RoomHistory newHistory(int capacity) {
    return new HazelcastRoomHistory(vertx, hazelcast, capacity);
  }

  @Test
  void roomRingbufferHasTheConfiguredCapacity() throws Exception {
    String room = room("sized");
    append(room);

    Ringbuffer<Object> ring = hazelcast.getRingbuffer(HazelcastRoomHistory.PREFIX + room);
    assertThat(ring.capacity()).isEqualTo(CAPACITY);
    assertThat(ring.size()).isEqualTo(1);
  }

  @Test
  void anotherInstanceContinuesTheRoomFromTheCluster() throws Exception {
    String room = room("takeover");
    appendTimes(room, 3);

    // What a standby chat instance does when it takes over: a history of its own on the cluster.
    RoomHistory standby = newHistory(CAPACITY);
    RoomHistory.Page seen = await(standby.since(room, 0));
    JsonObject next = await(standby.append(room, seq -> message(room, seq)));

    assertThat(seen.messages()).containsExactly(message(room, 1), message(room, 2), message(room, 3));
    assertThat(seen.complete()).isTrue();
    assertThat(next.getLong("seq")).isEqualTo(4L);
    assertThat(seqs(since(room, 0))).containsExactly(1L, 2L, 3L, 4L);
  }

  @Test
  void readsMoreMessagesThanOneReadReturns() throws Exception {
    // Hazelcast reads at most 1000 items at once. A ring that big needs its own config; the
    // exact name wins over the history's wildcard, so this room gets it on the same member.
    String room = room("big");
    int count = 2300;
    hazelcast.getConfig().addRingBufferConfig(new RingbufferConfig(HazelcastRoomHistory.PREFIX + room)
      .setCapacity(2500).setBackupCount(1).setTimeToLiveSeconds(0));
    Ringbuffer<String> ring = hazelcast.getRingbuffer(HazelcastRoomHistory.PREFIX + room);
    List<String> items = new ArrayList<>();
    for (long seq = 1; seq <= count; seq++) {
      items.add(message(room, seq).encode());
      if (items.size() == 500 || seq == count) { // and adds at most 1000 at once
        ring.addAllAsync(items, OverflowPolicy.OVERWRITE).toCompletableFuture().get(15, TimeUnit.SECONDS);
        items.clear();
      }
    }

    RoomHistory.Page all = since(room, 0);
    RoomHistory.Page tail = since(room, 1200);

    assertThat(seqs(all)).isEqualTo(range(1, count));
    assertThat(all.complete()).isTrue();
    assertThat(seqs(tail)).isEqualTo(range(1201, count));
    assertThat(tail.complete()).isTrue();
    assertThat(append(room).getLong("seq")).isEqualTo(count + 1L);
  }

  @Test
  void messagesOverwrittenWhileTheReadRunsMakeThePageIncomplete() throws Exception {
    String room = room("racing");
    appendTimes(room, CAPACITY); // seq 1..5, all kept
    // The active instance appends seq 6..9 after this reader looked at the ring but before it
    // read: the ring then holds 5..9, and seq 3 and 4, which the caller asked for, are gone.
    RoomHistory reader = new HazelcastRoomHistory(vertx, appendingBeforeTheFirstRead(room, 4), CAPACITY);

    RoomHistory.Page page = await(reader.since(room, 2));

    assertThat(seqs(page)).isEqualTo(range(5, 9));
    assertThat(page.complete()).as("seq 3 and 4 were overwritten before they were read").isFalse();
  }

  @Test
  void messagesAppendedWhileTheReadRunsKeepAPageCompleteWhenNothingAskedForIsLost() throws Exception {
    String room = room("racing-kept");
    appendTimes(room, CAPACITY); // seq 1..5
    RoomHistory reader = new HazelcastRoomHistory(vertx, appendingBeforeTheFirstRead(room, 4), CAPACITY);

    RoomHistory.Page page = await(reader.since(room, 4)); // seq 5 is the oldest the ring keeps

    assertThat(seqs(page)).isEqualTo(range(5, 9));
    assertThat(page.complete()).isTrue();
  }

  /**
   * The test member, except that the first read of {@code room}'s ringbuffer is preceded by
   * {@code count} appends to it: another writer racing the reader, at the worst moment.
   */
  private static HazelcastInstance appendingBeforeTheFirstRead(String room, int count) {
    String name = HazelcastRoomHistory.PREFIX + room;
    Ringbuffer<String> real = hazelcast.getRingbuffer(name);
    AtomicBoolean appended = new AtomicBoolean();
    @SuppressWarnings("unchecked")
    Ringbuffer<String> racing = (Ringbuffer<String>) Proxy.newProxyInstance(
      HazelcastRoomHistoryTest.class.getClassLoader(), new Class<?>[] {Ringbuffer.class}, (proxy, method, args) -> {
        if (method.getName().equals("readManyAsync") && appended.compareAndSet(false, true)) {
          for (int i = 0; i < count; i++) {
            long seq = real.tailSequence() + 2;
            real.add(message(room, seq).encode());
          }
        }
        return invoke(real, method, args);
      });
    return (HazelcastInstance) Proxy.newProxyInstance(
      HazelcastRoomHistoryTest.class.getClassLoader(), new Class<?>[] {HazelcastInstance.class}, (proxy, method, args) -> {
        if (method.getName().equals("getRingbuffer") && name.equals(args[0])) {
          return racing;
        }
        return invoke(hazelcast, method, args);
      });
  }

  private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
