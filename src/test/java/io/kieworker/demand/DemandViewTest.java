package io.kieworker.demand;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DemandViewTest {
  private static final long TTL = 3_000;

  private static DemandView view() {
    DemandView view = new DemandView("b", TTL, 0);
    view.warmAt(1_000);
    return view;
  }

  @Test
  void notLiveBeforeItsOwnReportIsReadBackNorBeforeItHasReadForAnInterval() {
    DemandView view = view();
    view.report(new DemandReport("a", 50, 0), 500);
    assertThat(view.share(20, 500)).isNull();
    view.report(new DemandReport("b", 0, 0), 600);
    assertThat(view.live(999)).isFalse(); // still warming: an instance may not have reported yet
    assertThat(view.live(1_000)).isTrue();
    assertThat(view.share(20, 1_000)).isZero(); // a holds all the demand
  }

  @Test
  void aReportAgesOutAfterTheTtlOnTheReadersClockSoAKilledInstanceLeavesTheView() {
    DemandView view = view();
    view.report(new DemandReport("a", 50, 123_456_789), 1_000); // the writer's clock does not matter
    view.report(new DemandReport("b", 50, 0), 1_000);
    assertThat(view.share(20, 1_000)).isEqualTo(10);
    view.report(new DemandReport("b", 50, 0), 3_500);
    assertThat(view.share(20, 3_999)).isEqualTo(10);
    assertThat(view.share(20, 4_000)).isEqualTo(20); // a's last report was read at 1,000
    assertThat(view.liveDemands(4_000)).isEqualTo(Map.of("b", 50));
  }

  @Test
  void theViewGoesStaleWhenItsOwnReportIsNotReadBackWithinTheTtl() {
    DemandView view = view();
    view.report(new DemandReport("b", 5, 0), 1_000);
    assertThat(view.live(3_999)).isTrue();
    assertThat(view.share(20, 4_000)).isNull();
  }

  @Test
  void aTombstoneRemovesAnInstanceAtOnceButNeverThisOne() {
    DemandView view = view();
    view.report(new DemandReport("a", 50, 0), 1_000);
    view.report(new DemandReport("b", 50, 0), 1_000);
    view.left("a");
    view.left("b");
    assertThat(view.share(20, 1_100)).isEqualTo(20);
    assertThat(view.groupDemand(1_100)).isEqualTo(50);
  }

  @Test
  void reportsRoundTripAndInvalidOnesAreSkipped() {
    DemandReport report = new DemandReport("b", 42, 1_700_000_000_000L);
    assertThat(DemandReport.parse("b", report.encode().getBytes())).isEqualTo(report);
    assertThat(DemandReport.parse("a", report.encode().getBytes())).as("another key's instance").isNull();
    assertThat(parse("b", "{\"instance\":\"b\",\"demand\":-1,\"at\":0}")).isNull();
    assertThat(parse("b", "{\"instance\":\"b\",\"demand\":1.5,\"at\":0}")).isNull();
    assertThat(parse("b", "{\"instance\":\"b\",\"demand\":\"7\",\"at\":0}")).isNull();
    assertThat(parse("b", "{\"instance\":\"b\",\"demand\":1e12,\"at\":0}")).isNull();
    assertThat(parse("b", "[1,2]")).isNull();
    assertThat(parse("b", "not json")).isNull();
    assertThat(parse("b", "{\"instance\":\"b\",\"demand\":1,\"at\":0,\"pad\":\"" + "x".repeat(600) + "\"}")).isNull();
    assertThat(parse(null, "{}")).isNull();
  }

  private static DemandReport parse(String key, String value) {
    return DemandReport.parse(key, value.getBytes(StandardCharsets.UTF_8));
  }
}
