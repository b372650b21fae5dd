package io.kieworker.tools.bench;

import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** The figures of one or more scenarios: a readable table, then one JSON object on the last line. */
public final class BenchReport {
  private record Row(String scenario, String key, String value, String target, String verdict) {}

  private final List<Row> rows = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private final JsonObject json = new JsonObject();

  public BenchReport(String scenario) {
    json.put("scenario", scenario);
  }

  /** A figure with no target (context for the others). */
  void figure(String scenario, String key, Number value) {
    add(scenario, key, value, "", "");
  }

  /** A figure that must be at most {@code max}. */
  void atMost(String scenario, String key, Number value, double max) {
    add(scenario, key, value, "≤ " + format(max), value.doubleValue() <= max ? "ok" : "MISS");
  }

  /** A figure that must be at least {@code min}. */
  void atLeast(String scenario, String key, Number value, double min) {
    add(scenario, key, value, "≥ " + format(min), value.doubleValue() >= min ? "ok" : "MISS");
  }

  void note(String line) {
    notes.add(line);
  }

  private void add(String scenario, String key, Number value, String target, String verdict) {
    json.put(key, value);
    rows.add(new Row(scenario, key, format(value.doubleValue()), target, verdict));
  }

  public JsonObject json() {
    return json.copy();
  }

  public void print(PrintStream out) {
    out.println();
    String format = "%-11s %-34s %8s  %-10s %s%n";
    out.printf(format, "scenario", "figure", "value", "target", "");
    out.println("-".repeat(72));
    for (Row r : rows) {
      out.printf(format, r.scenario, r.key, r.value, r.target, r.verdict);
    }
    for (String n : notes) {
      out.println("  " + n);
    }
    out.println();
    out.println(json.encode());
  }

  private static String format(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return String.format(java.util.Locale.ROOT, Math.abs(v) >= 100 ? "%.1f" : "%.3f", v);
  }
}
