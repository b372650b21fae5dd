package io.kieworker.sim;

import io.vertx.core.json.JsonObject;
import java.time.Duration;

/**
 * Fault settings, changeable while the simulator runs (from any thread: every field is volatile
 * and read once per request on the event loop). Ratios are probabilities in [0, 1].
 */
public final class SimFaults {
  static final String DEFAULT_FAIL_MSG = "Internal Error, Please try again later";

  private volatile double fault5xxRatio;
  private volatile double failRatio;
  private volatile String failCode = "500";
  private volatile double slowRatio;
  private volatile Duration slow = Duration.ofSeconds(2);
  private volatile double hangRatio;
  private volatile double dropCallbackRatio;
  private volatile Duration maintenanceEvery = Duration.ZERO;
  private volatile Duration maintenanceFor = Duration.ZERO;
  private volatile boolean maintenance;
  private volatile Duration uploadDelay = Duration.ZERO;

  public SimFaults() {}

  public SimFaults copy() {
    SimFaults c = new SimFaults();
    c.copyFrom(this);
    return c;
  }

  synchronized void copyFrom(SimFaults o) {
    fault5xxRatio = o.fault5xxRatio;
    failRatio = o.failRatio;
    failCode = o.failCode;
    slowRatio = o.slowRatio;
    slow = o.slow;
    hangRatio = o.hangRatio;
    dropCallbackRatio = o.dropCallbackRatio;
    maintenanceEvery = o.maintenanceEvery;
    maintenanceFor = o.maintenanceFor;
    maintenance = o.maintenance;
    uploadDelay = o.uploadDelay;
  }

  /** Share of API calls answered 500, 502 or 503 before any work. */
  public SimFaults fault5xxRatio(double r) { fault5xxRatio = ratio(r); return this; }
  /** Share of created tasks that end in {@code state=fail} with {@link #failCode()}. */
  public SimFaults failRatio(double r) { failRatio = ratio(r); return this; }
  public SimFaults failCode(String code) { failCode = code; return this; }
  /** Share of API calls answered only after {@link #slow()}. */
  public SimFaults slowRatio(double r) { slowRatio = ratio(r); return this; }
  public SimFaults slow(Duration d) { slow = d; return this; }
  /** Share of API calls never answered; a createTask hang happens after the task was created. */
  public SimFaults hangRatio(double r) { hangRatio = ratio(r); return this; }
  public SimFaults dropCallbackRatio(double r) { dropCallbackRatio = ratio(r); return this; }
  /** Windows of {@code length} starting at every multiple of {@code every} after start; zero = none. */
  public SimFaults maintenanceWindows(Duration every, Duration length) {
    maintenanceEvery = every;
    maintenanceFor = length;
    return this;
  }
  /** Forces maintenance on (455 on every API call) until switched off. */
  public SimFaults maintenance(boolean on) { maintenance = on; return this; }

  /** Every upload is answered this long after its body arrived (uploads that take time); zero = at once. */
  public SimFaults uploadDelay(Duration d) { uploadDelay = d; return this; }

  public double fault5xxRatio() { return fault5xxRatio; }
  public Duration uploadDelay() { return uploadDelay; }
  public double failRatio() { return failRatio; }
  public String failCode() { return failCode; }
  public double slowRatio() { return slowRatio; }
  public Duration slow() { return slow; }
  public double hangRatio() { return hangRatio; }
  public double dropCallbackRatio() { return dropCallbackRatio; }
  public Duration maintenanceEvery() { return maintenanceEvery; }
  public Duration maintenanceFor() { return maintenanceFor; }
  public boolean maintenance() { return maintenance; }

  boolean inMaintenance(long sinceStartMs) {
    if (maintenance) {
      return true;
    }
    long every = maintenanceEvery.toMillis();
    long length = maintenanceFor.toMillis();
    return every > 0 && length > 0 && sinceStartMs >= every && sinceStartMs % every < length;
  }

  /** Applies the keys present in {@code patch}; unknown keys are an error so typos don't pass silently. */
  public synchronized SimFaults apply(JsonObject patch) {
    for (String key : patch.fieldNames()) {
      Object v = patch.getValue(key);
      switch (key) {
        case "fault5xxRatio" -> fault5xxRatio(number(v));
        case "failRatio" -> failRatio(number(v));
        case "failCode" -> failCode(String.valueOf(v));
        case "slowRatio" -> slowRatio(number(v));
        case "slow" -> slow(duration(v));
        case "hangRatio" -> hangRatio(number(v));
        case "dropCallbackRatio" -> dropCallbackRatio(number(v));
        case "maintenanceEvery" -> maintenanceEvery = duration(v);
        case "maintenanceFor" -> maintenanceFor = duration(v);
        case "maintenance" -> maintenance(Boolean.parseBoolean(String.valueOf(v)));
        case "uploadDelay" -> uploadDelay(duration(v));
        default -> throw new IllegalArgumentException("unknown fault setting: " + key);
      }
    }
    return this;
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("fault5xxRatio", fault5xxRatio)
        .put("failRatio", failRatio)
        .put("failCode", failCode)
        .put("slowRatio", slowRatio)
        .put("slow", SimDurations.format(slow))
        .put("hangRatio", hangRatio)
        .put("dropCallbackRatio", dropCallbackRatio)
        .put("maintenanceEvery", SimDurations.format(maintenanceEvery))
        .put("maintenanceFor", SimDurations.format(maintenanceFor))
        .put("maintenance", maintenance)
        .put("uploadDelay", SimDurations.format(uploadDelay));
  }

  @Override
  public String toString() {
    return "SimFaults" + toJson().encode();
  }

  private static double number(Object v) {
    return v instanceof Number n ? n.doubleValue() : Double.parseDouble(String.valueOf(v));
  }

  private static Duration duration(Object v) {
    return v instanceof Number n ? Duration.ofMillis(n.longValue()) : SimDurations.parse(String.valueOf(v));
  }

  private static double ratio(double r) {
    if (r < 0 || r > 1 || Double.isNaN(r)) {
      throw new IllegalArgumentException("ratio must be within [0, 1]: " + r);
    }
    return r;
  }
}
