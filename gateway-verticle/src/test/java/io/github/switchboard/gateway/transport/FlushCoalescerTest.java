package io.github.switchboard.gateway.transport;

import io.github.switchboard.gateway.GatewayHarness;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalServerChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A delivery is flushed at once when nothing waits on the event loop; behind a backlog, the
 * flush waits for the tasks already queued (or for the configured delay), and never lets a
 * burst pile up over the socket's queue cap. Real Netty channels (the in-JVM local transport)
 * on a real event loop.
 */
class FlushCoalescerTest {

  private EventLoopGroup group;
  private Channel server;
  private Channel client;
  private final CompletableFuture<Channel> accepted = new CompletableFuture<>();
  private final AtomicInteger flushes = new AtomicInteger();
  private final List<Byte> received = new CopyOnWriteArrayList<>();
  private final FlushCoalescer coalescer = new FlushCoalescer(0);

  @BeforeEach
  void connect() throws Exception {
    group = new DefaultEventLoopGroup(1);
    LocalAddress address = new LocalAddress("flush-" + System.nanoTime());
    server = new ServerBootstrap().group(group).channel(LocalServerChannel.class)
      .childHandler(new ChannelInitializer<LocalChannel>() {
        @Override
        protected void initChannel(LocalChannel ch) {
          ch.pipeline().addLast(new ChannelOutboundHandlerAdapter() {
            @Override
            public void flush(ChannelHandlerContext ctx) {
              flushes.incrementAndGet();
              ctx.flush();
            }
          });
          accepted.complete(ch);
        }
      }).bind(address).sync().channel();
    client = new Bootstrap().group(group).channel(LocalChannel.class)
      .handler(new ChannelInboundHandlerAdapter() {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
          ByteBuf buf = (ByteBuf) msg;
          while (buf.isReadable()) {
            received.add(buf.readByte());
          }
          buf.release();
        }
      }).connect(address).sync().channel();
  }

  @AfterEach
  void close() {
    client.close().syncUninterruptibly();
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  @Test
  void messagesWrittenBeforeTheQueuedTasksRunShareOneFlush() throws Exception {
    Channel channel = accepted.get(5, TimeUnit.SECONDS);
    Connection session = new TestConnection("c1", channel);

    // Three group messages handled while another task waits behind them (a backlog).
    int inTask = channel.eventLoop().submit(() -> {
      channel.eventLoop().execute(() -> { });
      for (int i = 0; i < 3; i++) {
        coalescer.writeLater(session, Unpooled.wrappedBuffer(new byte[] {(byte) i}));
      }
      return flushes.get();
    }).get(5, TimeUnit.SECONDS);
    assertThat(inTask).as("no flush while the fan-out runs").isZero();
    awaitReceived(3);
    assertThat(flushes.get()).isEqualTo(1);
    assertThat(received).containsExactly((byte) 0, (byte) 1, (byte) 2);

    // With nothing queued behind it, a delivery is flushed at once, inside its own task.
    int afterLone = channel.eventLoop().submit(() -> {
      coalescer.writeLater(session, Unpooled.wrappedBuffer(new byte[] {9}));
      return flushes.get();
    }).get(5, TimeUnit.SECONDS);
    assertThat(afterLone).isEqualTo(2);
    awaitReceived(4);
    assertThat(received).containsExactly((byte) 0, (byte) 1, (byte) 2, (byte) 9);
  }

  @Test
  void aBurstOverTheQueueCapIsFlushedAtOnce() throws Exception {
    Channel channel = accepted.get(5, TimeUnit.SECONDS);
    channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(512, 1024));
    Connection session = new TestConnection("c2", channel);

    int[] flushesSeen = channel.eventLoop().submit(() -> {
      channel.eventLoop().execute(() -> { });
      coalescer.writeLater(session, Unpooled.wrappedBuffer(new byte[600]));
      int afterFirst = flushes.get();
      coalescer.writeLater(session, Unpooled.wrappedBuffer(new byte[600]));
      return new int[] {afterFirst, flushes.get()};
    }).get(5, TimeUnit.SECONDS);
    assertThat(flushesSeen[0]).isZero();
    assertThat(flushesSeen[1]).as("over the high-water mark: flushed without waiting").isEqualTo(1);
    awaitReceived(1200);
  }

  @Test
  void withADelayDeliveriesInTheWindowShareOneFlush() throws Exception {
    Channel channel = accepted.get(5, TimeUnit.SECONDS);
    Connection session = new TestConnection("c3", channel);
    // Long enough that the second task surely runs inside the window, even on a loaded machine.
    long delayMs = 2_000;
    FlushCoalescer delayed = new FlushCoalescer(delayMs);

    long start = System.nanoTime();
    channel.eventLoop().submit(() -> delayed.writeLater(session, Unpooled.wrappedBuffer(new byte[] {1}))).get(5, TimeUnit.SECONDS);
    // A later run of the event loop: without a delay this message would have had its own flush.
    int seen = channel.eventLoop().submit(() -> {
      delayed.writeLater(session, Unpooled.wrappedBuffer(new byte[] {2}));
      return flushes.get();
    }).get(5, TimeUnit.SECONDS);
    assertThat(seen).as("nothing flushed inside the window").isZero();
    awaitReceived(2);
    long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertThat(flushes.get()).isEqualTo(1);
    assertThat(received).containsExactly((byte) 1, (byte) 2);
    assertThat(elapsedMs).as("the flush waited for the delay").isGreaterThanOrEqualTo(delayMs);
  }

  private void awaitReceived(int count) {
    GatewayHarness.await(count + " bytes received", () -> received.size() >= count);
  }
}
