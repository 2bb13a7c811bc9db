package io.github.switchboard.protocol;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClientFrameParserTest {

  @Test
  void parsesEveryRequestType() {
    assertThat(ClientFrameParser.parse("{\"type\":\"subscribe\",\"group\":\"chat.lobby\",\"id\":1}"))
      .isEqualTo(new ClientFrame.Subscribe(1, "chat.lobby", null, null));
    assertThat(ClientFrameParser.parse("{\"type\":\"subscribe\",\"group\":\"a:b\",\"since\":7,\"id\":\"x\"}"))
      .isEqualTo(new ClientFrame.Subscribe("x", "a:b", 7L, null));
    assertThat(ClientFrameParser.parse("{\"type\":\"subscribe\",\"group\":\"g\",\"since\":{\"seq\":7,\"epoch\":\"3fa1\"}}"))
      .isEqualTo(new ClientFrame.Subscribe(null, "g", 7L, "3fa1"));
    assertThat(ClientFrameParser.parse("{\"type\":\"subscribe\",\"group\":\"g\",\"since\":{\"offset\":0,\"epoch\":\"e\"}}"))
      .as("offset is another name for seq").isEqualTo(new ClientFrame.Subscribe(null, "g", 0L, "e"));
    assertThat(ClientFrameParser.parse("{\"type\":\"unsubscribe\",\"group\":\"g\"}"))
      .isEqualTo(new ClientFrame.Unsubscribe(null, "g"));
    assertThat(ClientFrameParser.parse("{\"type\":\"publish\",\"group\":\"g\",\"data\":{\"a\":[1,null]},\"id\":3}"))
      .isEqualTo(new ClientFrame.Publish(3, "g", "{\"a\":[1,null]}"));
    assertThat(ClientFrameParser.parse("{\"type\":\"publish\",\"group\":\"g\",\"data\":null}"))
      .isEqualTo(new ClientFrame.Publish(null, "g", "null"));
    assertThat(ClientFrameParser.parse(" {\"type\":\"ping\",\"id\":4.5} ")).isEqualTo(new ClientFrame.Ping(4.5));
    assertThat(ClientFrameParser.parse("{\"type\":\"rpc\",\"method\":\"your_action\",\"data\":{\"n\":1},\"id\":6}"))
      .isEqualTo(new ClientFrame.Rpc(6, "your_action", "{\"n\":1}"));
    assertThat(ClientFrameParser.parse("{\"type\":\"rpc\",\"method\":\"orders/list.v2\",\"id\":\"r\"}"))
      .as("data may be left out").isEqualTo(new ClientFrame.Rpc("r", "orders/list.v2", "null"));
  }

  @Test
  void anRpcNeedsAnIdAndAMethodName() {
    assertCode("{\"type\":\"rpc\",\"method\":\"m\"}", ErrorCode.INVALID_FIELD, null);
    assertCode("{\"type\":\"rpc\",\"id\":1}", ErrorCode.INVALID_FIELD, 1);
    assertCode("{\"type\":\"rpc\",\"method\":\"a b\",\"id\":1}", ErrorCode.INVALID_FIELD, 1);
    assertCode("{\"type\":\"rpc\",\"method\":7,\"id\":1}", ErrorCode.INVALID_FIELD, 1);
    assertCode("{\"type\":\"rpc\",\"method\":\"" + "m".repeat(129) + "\",\"id\":1}", ErrorCode.INVALID_FIELD, 1);
  }

  @Test
  void refusalsCarryCodeAndId() {
    assertCode("", ErrorCode.INVALID_JSON, null);
    assertCode("{", ErrorCode.INVALID_JSON, null);
    assertCode("\"text\"", ErrorCode.INVALID_JSON, null);
    assertCode("{\"type\":\"nope\",\"id\":2}", ErrorCode.UNKNOWN_TYPE, 2);
    assertCode("{\"type\":true,\"id\":2}", ErrorCode.INVALID_FIELD, 2);
    assertCode("{\"type\":\"subscribe\",\"group\":\"\",\"id\":\"a\"}", ErrorCode.INVALID_GROUP, "a");
    assertCode("{\"type\":\"subscribe\",\"group\":\"white space\"}", ErrorCode.INVALID_GROUP, null);
    assertCode("{\"type\":\"subscribe\",\"group\":\"g\",\"since\":1.5}", ErrorCode.INVALID_FIELD, null);
    assertCode("{\"type\":\"subscribe\",\"group\":\"g\",\"since\":{\"seq\":1}}", ErrorCode.INVALID_FIELD, null);
    assertCode("{\"type\":\"subscribe\",\"group\":\"g\",\"since\":{\"seq\":-1,\"epoch\":\"e\"}}", ErrorCode.INVALID_FIELD, null);
    assertCode("{\"type\":\"subscribe\",\"group\":\"g\",\"since\":{\"seq\":1,\"epoch\":\"\"}}", ErrorCode.INVALID_FIELD, null);
    assertCode("{\"type\":\"subscribe\",\"group\":\"g\",\"since\":{\"seq\":1,\"epoch\":\"" + "e".repeat(65) + "\"}}",
      ErrorCode.INVALID_FIELD, null);
    assertCode("{\"type\":\"subscribe\",\"group\":\"g\",\"since\":\"7\"}", ErrorCode.INVALID_FIELD, null);
    assertCode("{\"type\":\"ping\",\"id\":[1]}", ErrorCode.INVALID_FIELD, null);
  }

  @Test
  void groupNamesFollowTheContract() {
    assertThat(Groups.isValidName("a".repeat(128))).isTrue();
    assertThat(Groups.isValidName("a".repeat(129))).isFalse();
    assertThat(Groups.isValidName("Az09_.:-")).isTrue();
    assertThat(Groups.isValidName("ümlaut")).isFalse();
    assertThat(Groups.isValidRoom("room_1-x")).isTrue();
    assertThat(Groups.isValidRoom("room.1")).isFalse();
    assertThat(Groups.roomOf("chat.lobby")).isEqualTo("lobby");
    assertThat(Groups.roomOf("chat.a.b")).isNull();
    assertThat(Groups.address("g")).isEqualTo("group.g");
  }

  private static void assertCode(String text, ErrorCode code, Object id) {
    assertThatThrownBy(() -> ClientFrameParser.parse(text))
      .isInstanceOfSatisfying(ProtocolException.class, e -> {
        assertThat(e.code()).isEqualTo(code);
        assertThat(e.requestId()).isEqualTo(id);
        assertThat(e.getMessage()).isNotBlank();
      });
  }
}
