package io.github.switchboard.chat;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Start-up of the whole verticle with its settings: blank is not set, invalid stops it. */
class ChatVerticleSettingsTest {

  private Vertx vertx;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  private Future<String> deploy(Map<String, String> env) {
    ChatVerticle chat = new ChatVerticle() {
      @Override
      protected Map<String, String> environment() {
        return env;
      }
    };
    return vertx.deployVerticle(chat, new DeploymentOptions().setConfig(new JsonObject()));
  }

  private static <T> T within(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void aBlankHistorySizeNoLongerStopsStartUp() throws Exception {
    assertThat(within(deploy(Map.of("SWITCHBOARD_CHAT_HISTORY_SIZE", "", "SWITCHBOARD_HEALTH_PORT", " ")))).isNotNull();
  }

  @Test
  void anInvalidValueStopsStartUpNamingKeyAndVariable() {
    assertThatThrownBy(() -> within(deploy(Map.of("SWITCHBOARD_CHAT_HISTORY_SIZE", "0"))))
      .hasMessageContaining("'historySize'").hasMessageContaining("SWITCHBOARD_CHAT_HISTORY_SIZE");
    assertThatThrownBy(() -> within(deploy(Map.of("SWITCHBOARD_HEALTH_PORT", "99999"))))
      .hasMessageContaining("'healthPort'").hasMessageContaining("SWITCHBOARD_HEALTH_PORT");
  }
}
