package io.kieworker.tools.demo;

import java.nio.charset.StandardCharsets;

/**
 * One request the demo produces, with the status it is scripted to end in.
 *
 * @param requestId the id its result carries; {@code null} for a value the worker cannot parse,
 *     whose id the worker derives from where it lands ({@code <topic>-<partition>-<offset>})
 * @param model the model it names, as shown in the tables ({@code ?} when it names none)
 * @param kind what the request shows, e.g. {@code text}, {@code inline image}, {@code legacy}
 */
public record DemoRequest(String requestId, String key, String model, String kind, byte[] value, Expected expected) {

  /** How a request is scripted to end; {@code FAILED} ones are failed by the simulator on purpose. */
  public enum Expected { SUCCEEDED, FAILED, REJECTED }

  static DemoRequest json(String requestId, String model, String kind, String json, Expected expected) {
    return new DemoRequest(requestId, requestId, model, kind, json.getBytes(StandardCharsets.UTF_8), expected);
  }

  public boolean valid() {
    return expected != Expected.REJECTED;
  }
}
