package io.github.switchboard.gateway;

import io.github.switchboard.launcher.SwitchboardLauncher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A gateway process that cannot use its configuration must stop with a message, not run on
 * defaults. Real processes, started the way the fat jar starts them.
 */
class StartupFailsLoudlyTest {

  record Outcome(int exitCode, String output) {
  }

  private static Outcome launch(List<String> jvmArgs, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmArgs);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(SwitchboardLauncher.class.getName());
    command.add(GatewayVerticle.class.getName());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("process still running after 60 s: " + command);
    }
    return new Outcome(process.exitValue(), new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  @Test
  void missingConfigFile() throws Exception {
    Outcome outcome = launch(List.of(), "-conf", "/definitely/not/here.json");
    assertThat(outcome.exitCode()).isNotZero();
    assertThat(outcome.output()).contains("Start-up failed").contains("/definitely/not/here.json").contains("does not exist");
  }

  @Test
  void missingClusterConfigFile() throws Exception {
    Outcome outcome = launch(List.of("-Dswitchboard.cluster.config=/no/such/cluster.xml"), "-cluster");
    assertThat(outcome.exitCode()).isNotZero();
    assertThat(outcome.output()).contains("Start-up failed").contains("/no/such/cluster.xml").contains("does not exist");
  }

  @Test
  void invalidSettingInConfigFile(@TempDir Path dir) throws Exception {
    Path conf = dir.resolve("gateway.json");
    Files.writeString(conf, "{\"port\":0,\"pingIntervalMs\":\"soon\"}");
    Outcome outcome = launch(List.of(), "-conf", conf.toString());
    assertThat(outcome.exitCode()).isNotZero();
    assertThat(outcome.output()).contains("pingIntervalMs").contains("soon");
  }

  @Test
  void unreadableJsonInConfigFile(@TempDir Path dir) throws Exception {
    Path conf = dir.resolve("broken.json");
    Files.writeString(conf, "{\"port\": 0,");
    Outcome outcome = launch(List.of(), "-conf", conf.toString());
    assertThat(outcome.exitCode()).isNotZero();
    assertThat(outcome.output()).contains("Start-up failed").contains(conf.toString());
  }
}
