package io.kieworker.tools.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kieworker.tools.demo.DemoRequest.Expected;
import io.kieworker.model.ModelRegistry;
import io.kieworker.request.Endpoint;
import io.kieworker.request.ParseOutcome;
import io.kieworker.request.RequestParser;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class DemoSampleTest {
  private final RequestParser parser = new RequestParser(ModelRegistry.builtIn(), 10_000_000);

  private ParseOutcome parse(DemoRequest r) {
    return parser.parse(DemoRun.REQUESTS, 0, 99L, r.value());
  }

  @Test
  void theWorkersOwnParserAcceptsExactlyTheRequestsScriptedAsValid() {
    for (DemoRequest r : DemoSample.of(40)) {
      ParseOutcome outcome = parse(r);
      assertThat(outcome.accepted()).as(r.key() + ": " + outcome.detail()).isEqualTo(r.valid());
      if (r.requestId() != null) {
        assertThat(outcome.requestId()).isEqualTo(r.requestId());
      }
    }
  }

  @Test
  void theScenariosCoverEveryModelTheLegacyEndpointInlineImagesAFailureAndInvalidInput() {
    List<DemoRequest> sample = DemoSample.of(DemoSample.SCENARIOS);
    List<ParseOutcome> accepted = sample.stream().map(this::parse).filter(ParseOutcome::accepted).toList();
    assertThat(accepted).extracting(o -> o.request().model()).contains("google/nano-banana",
        "google/nano-banana-edit", "nano-banana-pro", "nano-banana-2", "nano-banana-2-lite");
    assertThat(accepted).extracting(o -> o.request().endpoint()).contains(Endpoint.LEGACY, Endpoint.MARKET);
    assertThat(sample).filteredOn(r -> r.kind().equals("inline image")).hasSizeGreaterThanOrEqualTo(1)
        .allSatisfy(r -> assertThat(new String(r.value())).contains("data:image/png;base64,"));
    assertThat(sample).filteredOn(r -> r.expected() == Expected.FAILED).singleElement()
        .satisfies(r -> assertThat(new String(r.value())).contains("[sim:fail=500]"));
    assertThat(sample).filteredOn(r -> r.requestId() == null).singleElement()
        .satisfies(r -> assertThat(r.expected()).isEqualTo(Expected.REJECTED));
  }

  @Test
  void sampleSizeIsHonouredWithDistinctIds() {
    assertThat(DemoSample.of(1)).hasSize(1);
    List<DemoRequest> big = DemoSample.of(60);
    assertThat(big).hasSize(60);
    assertThat(new HashSet<>(big.stream().map(DemoRequest::key).toList())).hasSize(60);
    assertThat(big.subList(DemoSample.SCENARIOS, 60)).allSatisfy(r -> assertThat(r.valid()).isTrue());
    assertThatThrownBy(() -> DemoSample.of(0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void twoTenantsSendAndTheLastRequestIsHighPriorityInASampleLargerThanTheScenarios() {
    List<DemoRequest> sample = DemoSample.of(24);
    assertThat(sample).filteredOn(r -> DemoSample.SMALL_TENANT.equals(r.tenant())).hasSize(3);
    assertThat(sample).filteredOn(r -> DemoSample.LARGE_TENANT.equals(r.tenant())).hasSize(20);
    assertThat(sample.get(23).highPriority()).isTrue();
    assertThat(sample.subList(0, 23)).noneMatch(DemoRequest::highPriority);
    for (DemoRequest r : sample) {
      ParseOutcome outcome = parse(r);
      if (outcome.accepted()) {
        assertThat(new String(r.value())).contains("\"tenant\":\"" + r.tenant() + "\"");
      }
    }
    assertThat(new String(sample.get(23).value())).contains("\"priority\":\"high\"");
    assertThat(DemoSample.of(DemoSample.SCENARIOS)).noneMatch(DemoRequest::highPriority);
  }

  @Test
  void theInlineImageIsAPngThatDecodes() throws Exception {
    String uri = DemoSample.tinyPngDataUri();
    byte[] png = Base64.getDecoder().decode(uri.substring("data:image/png;base64,".length()));
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
    assertThat(image.getWidth()).isEqualTo(4);
    assertThat(image.getHeight()).isEqualTo(4);
  }

  @Test
  void percentilesUseTheNearestRank() {
    List<Long> values = List.of(100L, 200L, 300L, 400L, 500L, 600L, 700L, 800L, 900L, 1000L);
    assertThat(DemoSummary.percentile(values, 50)).isEqualTo("0.5s");
    assertThat(DemoSummary.percentile(values, 95)).isEqualTo("1.0s");
    assertThat(DemoSummary.percentile(List.of(), 50)).isEqualTo("-");
  }
}
