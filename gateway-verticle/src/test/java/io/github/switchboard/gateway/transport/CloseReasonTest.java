package io.github.switchboard.gateway.transport;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The close catalogue is the one source of every server close; the wire contract
 * (docs/protocol.md, "Close codes") and the JavaScript client's reconnect rule must say the
 * same thing.
 */
class CloseReasonTest {

  /** The module's base directory (tests run there under Maven). */
  private static final Path MODULE = Path.of("").toAbsolutePath();

  @Test
  void everyCodeIsAServerCodeOfRfc6455AndEveryReasonFitsACloseFrame() {
    for (CloseReason reason : CloseReason.values()) {
      if (reason == CloseReason.DISCONNECTED || reason == CloseReason.DISCONNECTED_FOR_GOOD) {
        // A backend's disconnect: RFC 6455 leaves 4000-4999 to applications.
        assertThat(reason.code()).isBetween((short) CloseReason.MIN_BACKEND_CODE, (short) CloseReason.MAX_BACKEND_CODE);
        assertThat(reason.reason().getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isLessThanOrEqualTo(123);
        continue;
      }
      // 1012 "service restart" and 1013 "try again later" are in IANA's registry of RFC 6455 codes.
      assertThat(reason.code()).as(reason.name()).isIn((short) 1001, (short) 1002, (short) 1007, (short) 1008,
        (short) 1009, (short) 1011, (short) 1012, (short) 1013);
      assertThat(reason.reason().getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isLessThanOrEqualTo(123);
    }
  }

  @Test
  void aCodeEitherAlwaysOrNeverMeansReconnect() {
    // The client sees only the code: reasons that share one must agree on reconnecting.
    for (CloseReason a : CloseReason.values()) {
      for (CloseReason b : CloseReason.values()) {
        if (a.code() == b.code()) {
          assertThat(a.reconnect()).as(a + " and " + b).isEqualTo(b.reconnect());
        }
      }
    }
  }

  @Test
  void aBackendsCodeFallsUnderTheReasonOfItsRange() {
    assertThat(CloseReason.ofBackendCode(4000)).isEqualTo(CloseReason.DISCONNECTED);
    assertThat(CloseReason.ofBackendCode(4499)).isEqualTo(CloseReason.DISCONNECTED);
    assertThat(CloseReason.ofBackendCode(4500)).isEqualTo(CloseReason.DISCONNECTED_FOR_GOOD);
    assertThat(CloseReason.ofBackendCode(4999)).isEqualTo(CloseReason.DISCONNECTED_FOR_GOOD);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> CloseReason.ofBackendCode(1000))
      .isInstanceOf(IllegalArgumentException.class);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> CloseReason.ofBackendCode(5000))
      .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void decoderStatusesMapToTheirReasons() {
    assertThat(CloseReason.ofDecoderStatus(1009)).isEqualTo(CloseReason.MESSAGE_TOO_BIG);
    assertThat(CloseReason.ofDecoderStatus(1007)).isEqualTo(CloseReason.INVALID_UTF8);
    assertThat(CloseReason.ofDecoderStatus(1002)).isEqualTo(CloseReason.PROTOCOL_ERROR);
    assertThat(CloseReason.ofDecoderStatus(1003)).isEqualTo(CloseReason.PROTOCOL_ERROR);
  }

  @Test
  void theProtocolDocumentListsEveryCodeAndReason() throws IOException {
    String doc = Files.readString(MODULE.resolve("../docs/protocol.md"));
    int start = doc.indexOf("### Close codes");
    assertThat(start).as("docs/protocol.md has a Close codes section").isNotNegative();
    String section = doc.substring(start, doc.indexOf("\n### ", start + 1));
    Set<Integer> documented = new TreeSet<>();
    Matcher row = Pattern.compile("(?m)^\\| (\\d{4}) \\|").matcher(section);
    while (row.find()) {
      documented.add(Integer.parseInt(row.group(1)));
    }
    Set<Integer> sent = Arrays.stream(CloseReason.values()).map(r -> (int) r.code()).collect(Collectors.toCollection(TreeSet::new));
    documented.remove(1006); // seen by clients, never sent
    assertThat(documented).isEqualTo(sent);
    for (CloseReason reason : CloseReason.values()) {
      assertThat(section).as("the reason text of " + reason).contains("\"" + reason.reason() + "\"");
    }
  }

  @Test
  void theJavaScriptClientDoesNotReconnectAfterExactlyTheCodesThatSaySo() throws IOException {
    String client = Files.readString(MODULE.resolve("src/main/resources/webroot/js/realtime.js"));
    Matcher m = Pattern.compile("noReconnectCodes:\\s*\\[([^\\]]*)\\]").matcher(client);
    assertThat(m.find()).as("realtime.js declares noReconnectCodes").isTrue();
    Set<Integer> noReconnect = Arrays.stream(m.group(1).split(",")).map(String::strip).filter(s -> !s.isEmpty())
      .map(Integer::parseInt).collect(Collectors.toCollection(TreeSet::new));
    Set<Integer> catalogue = Arrays.stream(CloseReason.values()).filter(r -> !r.reconnect()).map(r -> (int) r.code())
      .collect(Collectors.toCollection(TreeSet::new));
    assertThat(noReconnect).isEqualTo(catalogue);
  }

  @Test
  void everyReasonIsNamedOnce() {
    List<String> texts = Arrays.stream(CloseReason.values()).map(CloseReason::reason).toList();
    assertThat(texts).doesNotHaveDuplicates();
  }
}
