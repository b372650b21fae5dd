package io.kieworker.tools.demo;

import java.nio.charset.StandardCharsets;

/**
 * One request the demo produces, with the status it is scripted to end in.
 *
 * @param requestId the id its result carries; {@code null} for a value the worker cannot parse,
 *     whose id the worker derives from where it lands ({@code <topic>-<partition>-<offset>})
 * @param model the model it names, as shown in the tables ({@code ?} when it names none)
 * @param kind what the request shows, e.g. {@code text}, {@code inline image}, {@code legacy}
 * @param tenant the request's {@code tenant} field (the demo's large or small tenant); null = none
 * @param priority the request's {@code priority} field; null = none (normal)
 */
public record DemoRequest(String requestId, String key, String model, String kind, byte[] value, Expected expected,
                          String tenant, String priority) {

  /** How a request is scripted to end; {@code FAILED} ones are failed by the simulator on purpose. */
  public enum Expected { SUCCEEDED, FAILED, REJECTED }

  static DemoRequest json(String requestId, String model, String kind, String json, Expected expected,
      String tenant, String priority) {
    return new DemoRequest(requestId, requestId, model, kind, json.getBytes(StandardCharsets.UTF_8), expected,
        tenant, priority);
  }

  public boolean highPriority() {
    return "high".equals(priority);
  }

  public boolean valid() {
    return expected != Expected.REJECTED;
  }
}
