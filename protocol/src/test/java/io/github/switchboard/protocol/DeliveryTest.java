package io.github.switchboard.protocol;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DeliveryTest {

  @Test
  void encodeDecodeKeepsEveryField() {
    byte[] bytes = {0, (byte) 0xFF, (byte) 0xC3, 0x28};
    Delivery original = new Delivery(Delivery.Kind.BINARY, 42, "conn-ü", false, 1234567890123L, bytes);
    Delivery copy = Delivery.decode(original.encode());
    assertThat(copy.kind()).isEqualTo(Delivery.Kind.BINARY);
    assertThat(copy.seq()).isEqualTo(42);
    assertThat(copy.sender()).isEqualTo("conn-ü");
    assertThat(copy.echo()).isFalse();
    assertThat(copy.publishedAt()).isEqualTo(1234567890123L);
    assertThat(copy.payload()).containsExactly(bytes);
    assertThat(copy.epoch()).isNull();
  }

  @Test
  void anEpochTravelsWithTheDeliveryAndAnOldFormatStillReads() {
    byte[] payload = "{\"m\":1}".getBytes(StandardCharsets.UTF_8);
    Delivery withEpoch = new Delivery(Delivery.Kind.JSON, 9, "c-1", true, 5L, payload, "3fa19c0e");
    Delivery copy = Delivery.decode(withEpoch.encode());
    assertThat(copy.epoch()).isEqualTo("3fa19c0e");
    assertThat(copy.seq()).isEqualTo(9);
    assertThat(copy.sender()).isEqualTo("c-1");
    assertThat(copy.payload()).containsExactly(payload);
    assertThat(copy.withSeq(10).epoch()).isEqualTo("3fa19c0e");
    // Format 1, as a publisher without epochs writes it, has no epoch byte.
    Buffer old = new Delivery(Delivery.Kind.JSON, 9, null, true, 5L, payload).encode();
    assertThat(old.getByte(0)).isEqualTo((byte) 1);
    assertThat(Delivery.decode(old).payload()).containsExactly(payload);
    Buffer truncated = withEpoch.encode().getBuffer(0, 22);
    assertThatThrownBy(() -> Delivery.decode(truncated)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Delivery(Delivery.Kind.JSON, 1, null, true, 0, payload, "e".repeat(65)))
      .isInstanceOf(IllegalArgumentException.class);
    assertThat(new JsonObject(new String(ServerFrames.message("chat.r", withEpoch), StandardCharsets.UTF_8)))
      .isEqualTo(new JsonObject("{\"type\":\"message\",\"group\":\"chat.r\",\"offset\":9,\"seq\":9,\"epoch\":\"3fa19c0e\",\"data\":{\"m\":1}}"));
  }

  @Test
  void plainBodiesAreAccepted() {
    Delivery json = Delivery.decode(new JsonObject().put("a", 1));
    assertThat(json.kind()).isEqualTo(Delivery.Kind.JSON);
    assertThat(new String(json.payload(), StandardCharsets.UTF_8)).isEqualTo("{\"a\":1}");
    assertThat(json.hasSeq()).isFalse();
    assertThat(Delivery.decode("hi").kind()).isEqualTo(Delivery.Kind.TEXT);
    assertThatThrownBy(() -> Delivery.decode(Buffer.buffer("garbage"))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Delivery.decode(42)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void envelopeSplicesJsonAndEncodesTheRest() {
    Delivery json = Delivery.json("{\"x\":[1,2]}").withSeq(7);
    assertThat(new JsonObject(new String(ServerFrames.message("chat.r", json), StandardCharsets.UTF_8)))
      .isEqualTo(new JsonObject("{\"type\":\"message\",\"group\":\"chat.r\",\"offset\":7,\"seq\":7,\"data\":{\"x\":[1,2]}}"));
    Delivery text = new Delivery(Delivery.Kind.TEXT, Delivery.NO_SEQ, null, true, 0, "say \"hi\"\n".getBytes(StandardCharsets.UTF_8));
    assertThat(new JsonObject(new String(ServerFrames.message("hub", text), StandardCharsets.UTF_8)).getString("data"))
      .isEqualTo("say \"hi\"\n");
    Delivery binary = new Delivery(Delivery.Kind.BINARY, Delivery.NO_SEQ, null, true, 0, new byte[]{1, 2, (byte) 0xFF});
    JsonObject frame = new JsonObject(new String(ServerFrames.message("hub", binary), StandardCharsets.UTF_8));
    assertThat(frame.getString("encoding")).isEqualTo("base64");
    assertThat(frame.getString("data")).isEqualTo("AQL/");
    assertThat(frame.containsKey("seq")).isFalse();
  }
}
