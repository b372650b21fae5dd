package io.kieworker.tools.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.kieworker.testing.S3Server;
import io.kieworker.tools.demo.DemoTally.Arrival;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code demo --store s3://...} against a real S3-API server (s3rver): the table shows the stored URLs. */
@ExtendWith(S3Server.class)
class DemoStoreTest {

  @Test
  void everySucceededResultIsStoredAndItsUrlShown() {
    String bucket = S3Server.createBucket("demo-store");
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    DemoOptions options = new DemoOptions(10, true, Duration.ofMillis(100), Duration.ofMillis(400),
        Duration.ofSeconds(90), 12L, "s3://" + bucket + "/demo", S3Server.endpoint());
    DemoRun.Outcome outcome = DemoRun.run(options, new PrintStream(console, true, StandardCharsets.UTF_8));
    String text = console.toString(StandardCharsets.UTF_8);

    assertThat(outcome.ok()).as(text).isTrue();
    List<Arrival> succeeded = outcome.tally().arrivals().stream().filter(a -> a.status().equals("SUCCEEDED")).toList();
    assertThat(succeeded).isNotEmpty().allSatisfy(a -> assertThat(a.stored()).startsWith("s3://" + bucket + "/demo/"));
    assertThat(S3Server.list(bucket)).hasSize(succeeded.size());
    assertThat(text).contains("result images copied to s3://" + bucket + "/demo", "stored s3://" + bucket + "/demo/",
        "result store: " + succeeded.size() + " results with stored copies, 0 with storeError");
  }
}
