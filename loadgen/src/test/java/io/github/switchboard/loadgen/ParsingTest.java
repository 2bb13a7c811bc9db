package io.github.switchboard.loadgen;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The small parsers the generator relies on: frame fields, /proc, Prometheus text, options. */
class ParsingTest {

  @Test
  void readsIntegerFieldsOfADelivery() {
    String frame = "{\"type\":\"message\",\"group\":\"bench\",\"data\":{\"t\":1731000000123456,\"n\":42,\"p\":\"xxxx\"}}";
    assertThat(Fields.longField(frame, "t")).isEqualTo(1731000000123456L);
    assertThat(Fields.longField(frame, "n")).isEqualTo(42);
    assertThat(Fields.longField(frame, "seq")).isEqualTo(Fields.ABSENT);
    // "type" must not be mistaken for "t".
    assertThat(Fields.longField("{\"type\":\"subscribed\",\"group\":\"bench\",\"id\":\"s1\"}", "t")).isEqualTo(Fields.ABSENT);
    assertThat(Fields.longField("{\"t\": -7}", "t")).isEqualTo(-7);
    assertThat(Fields.longField("{\"t\":\"12\"}", "t")).isEqualTo(Fields.ABSENT);
    assertThat(Fields.stringField("{\"type\":\"error\",\"code\":\"rate_limited\"}", "code")).isEqualTo("rate_limited");
  }

  @Test
  void readsCpuTicksFromProcStatEvenWithSpacesInTheName() {
    String stat = "4242 (java main) S 1 4242 4242 0 -1 4194560 123 0 0 0 1500 250 0 0 20 0 30 0 100 0 0";
    assertThat(Proc.cpuTicksOf(stat)).isEqualTo(1750);
    assertThat(Proc.cpuTicks("self")).isPositive();
  }

  @Test
  void readsTheParentAndTheChildrensTicksAndSumsAProcessTree() throws Exception {
    String stat = "4242 (postgres: x) S 17 4242 4242 0 -1 4194560 123 0 0 0 1500 250 40 7 20 0 1 0 100 0 0";
    assertThat(Proc.parentAndTicksOf(stat)).containsExactly(17, 1500, 250, 40, 7);
    String self = String.valueOf(ProcessHandle.current().pid());
    Process child = new ProcessBuilder("sleep", "5").start();
    try {
      // Own ticks first: this JVM runs on between the two reads, so the tree, read after, has at
      // least as many (read the other way round, it failed in CI by a tick).
      long[] own = Proc.cpuTicksSplit(self);
      long[] tree = Proc.treeCpuTicksSplit(self);
      assertThat(tree).isNotNull();
      assertThat(tree[0] + tree[1]).isGreaterThanOrEqualTo(own[0] + own[1]);
      assertThat(Proc.treeCpuTicksSplit(String.valueOf(child.pid()))).isNotNull();
    } finally {
      child.destroy();
    }
    assertThat(Proc.treeCpuTicksSplit("999999999")).isNull();
  }

  @Test
  void readsRssFromProcStatus() {
    assertThat(Proc.rssKibOf("Name:\tjava\nVmPeak:\t 9 kB\nVmRSS:\t  123456 kB\nThreads:\t30\n")).isEqualTo(123456);
    assertThat(Proc.rssKib("self")).isPositive();
  }

  @Test
  void sumsHeapPoolsAndReadsDirectBuffersFromPrometheusText() {
    String metrics = """
      # HELP jvm_memory_used_bytes The amount of used memory
      # TYPE jvm_memory_used_bytes gauge
      jvm_memory_used_bytes{area="heap",id="G1 Eden Space"} 1.048576E7
      jvm_memory_used_bytes{area="heap",id="G1 Old Gen"} 2000000.0
      jvm_memory_used_bytes{area="nonheap",id="Metaspace"} 5.0E7
      jvm_buffer_memory_used_bytes{id="direct"} 16384.0
      jvm_buffer_memory_used_bytes{id="mapped"} 0.0
      """;
    assertThat(ServerProbe.heapUsed(metrics)).isEqualTo(12_485_760);
    assertThat(ServerProbe.directUsed(metrics)).isEqualTo(16_384);
    assertThat(ServerProbe.heapUsed("nothing here")).isEqualTo(-1);
  }

  @Test
  void parsesOptionsAndRefusesUnknownOnes() {
    Options o = Options.parse(new String[] {"fanout", "--rate", "200", "--url=ws://a:1,ws://b:2", "--subscribers", "10"},
      Set.of("fanout"));
    assertThat(o.scenario()).isEqualTo("fanout");
    assertThat(o.number("rate", 50)).isEqualTo(200);
    assertThat(o.integer("subscribers", 1000)).isEqualTo(10);
    assertThat(o.integer("duration", 10)).isEqualTo(10);
    assertThat(o.urls()).containsExactly("ws://a:1", "ws://b:2");
    assertThatThrownBy(() -> Options.parse(new String[] {"fanout", "--rat", "1"}, Set.of("fanout")))
      .hasMessageContaining("unknown option --rat");
    assertThatThrownBy(() -> Options.parse(new String[] {"nope"}, Set.of("fanout")))
      .hasMessageContaining("scenario");
  }
}
