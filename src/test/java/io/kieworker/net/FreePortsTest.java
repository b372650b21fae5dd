package io.kieworker.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

class FreePortsTest {

  @Test
  void picksABindablePortBelowTheEphemeralRangeAndNotOneAlreadyTaken() throws Exception {
    int first = FreePorts.pick();
    assertThat(first).isBetween(20_000, 31_999);
    int second = FreePorts.pick(first);
    assertThat(second).isNotEqualTo(first).isBetween(20_000, 31_999);
    try (ServerSocket server = new ServerSocket(second)) {
      assertThat(server.getLocalPort()).isEqualTo(second);
    }
  }

  @Test
  void neverPicksAPortSomebodyListensOn() throws Exception {
    int free = FreePorts.pick();
    int busy = free + 1 < 32_000 ? free + 1 : free - 1;
    try (ServerSocket listening = new ServerSocket(busy)) {
      int low = Math.min(free, busy);
      for (int i = 0; i < 50; i++) {
        assertThat(FreePorts.pickIn(low, low + 2)).isEqualTo(free);
      }
    }
  }

  @Test
  void saysSoWhenEveryPortIsTaken() throws Exception {
    try (ServerSocket listening = new ServerSocket(FreePorts.pick())) {
      int port = listening.getLocalPort();
      assertThatThrownBy(() -> FreePorts.pickIn(port, port + 1)).hasMessageContaining("no free port");
    }
  }
}
