package io.github.switchboard.coordination.history;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.micrometer.backends.BackendRegistries;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

/**
 * One local store's messages in an append-only file, for the embedded mode: a restart of the
 * process reads them back, each stream with its epoch and offsets, so clients recover with
 * {@code since} across it (docs/operations.md, "History on disk").
 *
 * <p>A message is acknowledged once its record is written: to the operating system by default
 * (it survives kill -9 and a crash of the JVM, not a power cut), or also forced to the disk with
 * {@code fsync}. One thread of its own writes, so no event loop waits on the disk; the records
 * waiting when it wakes go out in one write (and one fsync), whatever their number.
 *
 * <p>The file only grows while messages come; old messages fall out of the streams but not out of
 * the file. The store asks for a {@link #rewrite} with what it holds now when the file holds
 * much more than that, and the new file replaces the old one by an atomic rename. A write cut
 * off at the end (the process killed in the middle of one) fails its checksum when read back and
 * is cut away; nothing after it was acknowledged.
 *
 * <p>Record layout: {@code int length, int crc32(body), body}; the body is {@code byte type (1),
 * stream, epoch, long offset, long timestamp, long expiresAt (wall clock), int capacity, publish
 * id (or null), payload}, each string an {@code int} byte count (-1: null) and its UTF-8 bytes.
 * The file starts with {@link #MAGIC}.
 */
public final class HistoryFile {

  private static final Logger log = LoggerFactory.getLogger(HistoryFile.class);
  /** What the file is, and the version of its layout. */
  static final byte[] MAGIC = "SWBHIST1".getBytes(StandardCharsets.US_ASCII);
  private static final byte APPEND = 1;
  /** A length beyond this is not a record but a damaged file (payloads are far smaller). */
  private static final int MAX_RECORD_BYTES = 64 * 1024 * 1024;
  /** Records the writer takes from its queue for one write (and one fsync). */
  private static final int MAX_BATCH = 4_096;

  /** One message as the file keeps it. */
  record Entry(String stream, String epoch, long offset, long timestamp, long expiresAt, int capacity,
               String publishId, String payload) {
  }

  private final Path path;
  private final boolean fsync;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final LinkedBlockingQueue<Task> queue = new LinkedBlockingQueue<>();
  private final Thread writer;
  /** Written to by the writer thread only. */
  private FileChannel channel;
  private final Promise<Void> closed = Promise.promise();
  private volatile boolean closing;
  private final MeterRegistry registry;
  private final Timer writes;
  private final Counter failures;
  private final Gauge queued;

  private HistoryFile(Path path, boolean fsync, FileChannel lockChannel, FileLock lock, FileChannel channel) {
    this.path = path;
    this.fsync = fsync;
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.channel = channel;
    MeterRegistry found = BackendRegistries.getDefaultNow();
    this.registry = found == null ? new SimpleMeterRegistry() : found;
    String file = path.getFileName().toString();
    this.writes = Timer.builder("switchboard.history.file.write").tag("file", file)
      .description("One write of the records queued for the history file (and its fsync with historyFsync)")
      .register(registry);
    this.failures = Counter.builder("switchboard.history.file.errors").tag("file", file)
      .description("Writes of the history file that failed (their senders got timeout)").register(registry);
    // The queue in front of the writer: appends waiting to be written, hence not yet acknowledged.
    this.queued = Gauge.builder("switchboard.history.file.queued", queue, LinkedBlockingQueue::size).tag("file", file)
      .description("Appends waiting for the history file's writer").register(registry);
    this.writer = new Thread(this::writeLoop, "switchboard-history-" + path.getFileName());
    writer.setDaemon(true);
    writer.start();
  }

  /**
   * Opens (or creates) {@code dir/name.history}, reads every stream it holds into {@code into}
   * (streams past their TTL at {@code nowMillis} left out, every offset marked durable) and
   * starts its writer. Blocks on the disk: not on an event loop. Fails when another process (or
   * another store of this one) has the file open.
   */
  static Opened open(Path dir, String name, boolean fsync, long nowMillis, Map<String, StreamLog> into)
    throws IOException {
    Files.createDirectories(dir);
    Path path = dir.resolve(name + ".history");
    Path lockPath = dir.resolve(name + ".lock");
    FileChannel lockChannel = FileChannel.open(lockPath, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = lockChannel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      lockChannel.close();
      throw new IOException("history file " + path + " is in use by another process (its lock " + lockPath
        + " is held): give each process a data directory of its own");
    }
    try {
      Replayed replayed = replay(path, into, nowMillis);
      long valid = replayed.bytes();
      FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.READ);
      if (valid == 0) {
        channel.truncate(0);
        channel.write(ByteBuffer.wrap(MAGIC), 0);
        valid = MAGIC.length;
      } else if (channel.size() > valid) {
        log.warn("history file {}: {} bytes after the last whole record cut away (a write cut off when the process"
          + " stopped; never acknowledged)", path, channel.size() - valid);
        channel.truncate(valid);
      }
      channel.position(valid);
      return new Opened(new HistoryFile(path, fsync, lockChannel, lock, channel), replayed.records());
    } catch (IOException | RuntimeException e) {
      lock.release();
      lockChannel.close();
      throw e;
    }
  }

  Path path() {
    return path;
  }

  /** An open file, and how many records it held (a measure of how much a rewrite would save). */
  record Opened(HistoryFile file, long records) {
  }

  private record Replayed(long bytes, long records) {
  }

  /**
   * Reads the file's records into {@code into}; answers how many bytes of it are whole records
   * (0: no file yet, or an empty one) and how many records they are.
   */
  private static Replayed replay(Path path, Map<String, StreamLog> into, long nowMillis) throws IOException {
    if (!Files.exists(path) || Files.size(path) == 0) {
      return new Replayed(0, 0);
    }
    long position;
    int records = 0;
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(path), 1 << 16);
         DataInputStream in = new DataInputStream(raw)) {
      byte[] magic = new byte[MAGIC.length];
      try {
        in.readFully(magic);
      } catch (EOFException e) {
        return new Replayed(0, 0);
      }
      if (!Arrays.equals(magic, MAGIC)) {
        throw new IOException("history file " + path + " is not a Switchboard history file (or of a newer version):"
          + " move it away or set another data directory");
      }
      position = MAGIC.length;
      CRC32 crc = new CRC32();
      while (true) {
        int length;
        int sum;
        byte[] body;
        try {
          length = in.readInt();
          sum = in.readInt();
          if (length <= 0 || length > MAX_RECORD_BYTES) {
            break;
          }
          body = new byte[length];
          in.readFully(body);
        } catch (EOFException e) {
          break;
        }
        crc.reset();
        crc.update(body);
        if ((int) crc.getValue() != sum) {
          break;
        }
        apply(decode(body), into, path);
        position += 8 + length;
        records++;
      }
    }
    long now = nowMillis;
    into.values().removeIf(streamLog -> streamLog.getExpiresAt() <= now);
    // Every record read back was acknowledged, or may be: readers may see all of it.
    into.values().forEach(streamLog -> streamLog.commit(streamLog.top(), now));
    log.info("history file {}: {} records read, {} streams kept", path, records, into.size());
    return new Replayed(position, records);
  }

  /** Replays one record onto the stream it belongs to. */
  private static void apply(Entry entry, Map<String, StreamLog> into, Path path) {
    StreamLog streamLog = into.get(entry.stream());
    boolean sameEpoch = streamLog != null && streamLog.epoch().equals(entry.epoch());
    if (sameEpoch && entry.offset() <= streamLog.top()) {
      return;
    }
    if (!sameEpoch || entry.offset() != streamLog.top() + 1) {
      if (sameEpoch) {
        log.warn("history file {}: stream {} jumps from offset {} to {}; kept from {} on", path, entry.stream(),
          streamLog.top(), entry.offset(), entry.offset());
      }
      // A new stream, or one freed and started again in a new epoch (its records come later).
      streamLog = StreamLog.startingAfter(entry.capacity(), entry.epoch(), entry.offset() - 1);
      into.put(entry.stream(), streamLog);
    }
    streamLog.append(entry.payload(), entry.timestamp(), entry.capacity(), entry.publishId());
    streamLog.expiresAt(entry.expiresAt());
  }

  /**
   * Queues the message's record; completes (on the caller's context) once it is written, or
   * fails when the disk refused it.
   */
  Future<Void> write(Entry entry) {
    return enqueue(List.of(encode(entry)), false);
  }

  /** Completes once everything queued before it is written. */
  Future<Void> flushed() {
    return enqueue(List.of(), false);
  }

  /**
   * Replaces the file with these records (what the store holds now), written to a new file that
   * is renamed over the old one. Records queued after this call go to the new file.
   */
  Future<Void> rewrite(List<Entry> entries) {
    List<ByteBuffer> records = new ArrayList<>(entries.size());
    for (Entry entry : entries) {
      records.add(encode(entry));
    }
    return enqueue(records, true);
  }

  /** Writes what is queued, then closes the file and lets its lock go. */
  Future<Void> close() {
    if (!closing) {
      closing = true;
      queue.add(Task.STOP);
    }
    return closed.future();
  }

  private Future<Void> enqueue(List<ByteBuffer> records, boolean rewrite) {
    if (closing) {
      return Future.failedFuture(new IOException("history file " + path + " is closed"));
    }
    Task task = new Task(records, rewrite, Promise.promise(), Vertx.currentContext());
    queue.add(task);
    return task.done.future();
  }

  private record Task(List<ByteBuffer> records, boolean rewrite, Promise<Void> done, Context context) {
    static final Task STOP = new Task(List.of(), false, null, null);

    void complete(Throwable failure) {
      Runnable finish = failure == null ? () -> done.tryComplete() : () -> done.tryFail(failure);
      if (context == null) {
        finish.run();
      } else {
        context.runOnContext(v -> finish.run());
      }
    }
  }

  private void writeLoop() {
    List<Task> batch = new ArrayList<>();
    boolean stop = false;
    while (!stop) {
      batch.clear();
      try {
        batch.add(queue.take());
      } catch (InterruptedException e) {
        break;
      }
      queue.drainTo(batch, MAX_BATCH);
      List<Task> appends = new ArrayList<>();
      for (Task task : batch) {
        if (task == Task.STOP) {
          stop = true;
          break;
        }
        if (task.rewrite()) {
          writeAll(appends);
          appends.clear();
          rewriteWith(task);
        } else {
          appends.add(task);
        }
      }
      writeAll(appends);
    }
    // Anything queued after the stop is refused.
    List<Task> left = new ArrayList<>();
    queue.drainTo(left);
    left.stream().filter(task -> task != Task.STOP)
      .forEach(task -> task.complete(new IOException("history file " + path + " is closed")));
    try {
      channel.close();
      lock.release();
      lockChannel.close();
    } catch (IOException e) {
      log.warn("history file {}: not closed cleanly: {}", path, e.toString());
    }
    for (Meter meter : List.of(writes, failures, queued)) {
      registry.remove(meter);
    }
    closed.tryComplete();
  }

  /** One write (and one fsync) for all the records of these tasks, then their answers. */
  private void writeAll(List<Task> tasks) {
    if (tasks.isEmpty()) {
      return;
    }
    List<ByteBuffer> buffers = new ArrayList<>();
    for (Task task : tasks) {
      buffers.addAll(task.records());
    }
    Throwable failure = null;
    long began = System.nanoTime();
    // Unknown until read: a failure to read it must not cut the file anywhere.
    long start = -1;
    try {
      start = channel.position();
      ByteBuffer[] all = buffers.toArray(ByteBuffer[]::new);
      long left = Arrays.stream(all).mapToLong(ByteBuffer::remaining).sum();
      while (left > 0) {
        left -= channel.write(all);
      }
      if (fsync) {
        channel.force(false);
      }
    } catch (IOException e) {
      failure = e;
      failures.increment();
      log.error("history file {}: {} records not written (their senders get an error): {}", path, buffers.size(),
        e.toString());
      // A half-written batch must not stay in front of the next one.
      if (start >= 0) {
        try {
          channel.truncate(start);
          channel.position(start);
        } catch (IOException again) {
          log.error("history file {}: cannot cut the failed write away: {}", path, again.toString());
        }
      }
    }
    writes.record(System.nanoTime() - began, TimeUnit.NANOSECONDS);
    for (Task task : tasks) {
      task.complete(failure);
    }
  }

  private void rewriteWith(Task task) {
    Path fresh = path.resolveSibling(path.getFileName() + ".new");
    try (FileChannel out = FileChannel.open(fresh, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
      StandardOpenOption.TRUNCATE_EXISTING)) {
      out.write(ByteBuffer.wrap(MAGIC));
      ByteBuffer[] all = task.records().toArray(ByteBuffer[]::new);
      long left = Arrays.stream(all).mapToLong(ByteBuffer::remaining).sum();
      long size = MAGIC.length + left;
      while (left > 0) {
        left -= out.write(all);
      }
      // The new file must be whole on disk before it replaces the old one.
      out.force(true);
      long before = channel.size();
      Files.move(fresh, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      channel.close();
      channel = FileChannel.open(path, StandardOpenOption.WRITE, StandardOpenOption.READ);
      channel.position(channel.size());
      log.info("history file {}: rewritten with what is kept, {} records, {} -> {} bytes", path,
        task.records().size(), before, size);
      task.complete(null);
    } catch (IOException e) {
      log.error("history file {}: not rewritten (it goes on growing; tried again later): {}", path, e.toString());
      task.complete(e);
    }
  }

  private static ByteBuffer encode(Entry entry) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + entry.payload().length() * 2);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(0);
      out.writeInt(0);
      out.writeByte(APPEND);
      writeString(out, entry.stream());
      writeString(out, entry.epoch());
      out.writeLong(entry.offset());
      out.writeLong(entry.timestamp());
      out.writeLong(entry.expiresAt());
      out.writeInt(entry.capacity());
      writeString(out, entry.publishId());
      writeString(out, entry.payload());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    ByteBuffer buffer = ByteBuffer.wrap(bytes.toByteArray());
    int length = buffer.capacity() - 8;
    CRC32 crc = new CRC32();
    crc.update(buffer.array(), 8, length);
    buffer.putInt(0, length);
    buffer.putInt(4, (int) crc.getValue());
    return buffer;
  }

  private static Entry decode(byte[] body) throws IOException {
    DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(body));
    byte type = in.readByte();
    if (type != APPEND) {
      throw new IOException("unknown record type " + type);
    }
    return new Entry(readString(in), readString(in), in.readLong(), in.readLong(), in.readLong(), in.readInt(),
      readString(in), readString(in));
  }

  private static void writeString(DataOutputStream out, String value) throws IOException {
    if (value == null) {
      out.writeInt(-1);
      return;
    }
    byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
    out.writeInt(utf8.length);
    out.write(utf8);
  }

  private static String readString(DataInputStream in) throws IOException {
    int length = in.readInt();
    if (length < 0) {
      return null;
    }
    byte[] utf8 = new byte[length];
    in.readFully(utf8);
    return new String(utf8, StandardCharsets.UTF_8);
  }

  /** Used by tests: reads a file's streams without opening it for writing. */
  static Map<String, StreamLog> read(Path file, long nowMillis) throws IOException {
    Map<String, StreamLog> streams = new HashMap<>();
    replay(file, streams, nowMillis);
    return streams;
  }
}
