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
      .isEqualTo(new JsonObject("{\"type\":\"message\",\"group\":\"chat.r\",\"seq\":7,\"data\":{\"x\":[1,2]}}"));
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
