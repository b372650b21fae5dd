package io.kieworker.tools.demo;

import io.kieworker.tools.demo.DemoTally.Arrival;
import io.kieworker.sim.SimCounters;
import java.io.PrintStream;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The console output of the demo: one progress line per result, then the summary tables. */
public final class DemoSummary {
  private static final List<String> STATUSES = List.of("SUCCEEDED", "FAILED", "REJECTED", "TIMED_OUT");
  private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");
  private static final String PROGRESS = "  %-12s  %-27s  %-23s  %-13s  %-9s  %8s  %7s  %s";

  private final DemoTally tally;
  private final SimCounters sim;
  private final boolean callbacks;
  private final String createLimit;
  private final boolean store;

  /** @param createLimit the account's create limit, as shown, e.g. {@code 20 per 10.0s} */
  public DemoSummary(DemoTally tally, SimCounters sim, boolean callbacks, String createLimit) {
    this(tally, sim, callbacks, createLimit, false);
  }

  /** @param store the result store is on: the figures count stored copies */
  public DemoSummary(DemoTally tally, SimCounters sim, boolean callbacks, String createLimit, boolean store) {
    this.tally = tally;
    this.sim = sim;
    this.callbacks = callbacks;
    this.createLimit = createLimit;
    this.store = store;
  }

  static String progressHeader() {
    String header = String.format(Locale.ROOT, PROGRESS, "time", "requestId", "model", "kind", "status", "attempts",
        "e2e", "detail");
    return header + System.lineSeparator() + "  " + "-".repeat(header.length() - 2);
  }

  static String progressLine(Arrival a) {
    String detail = a.status().equals("SUCCEEDED")
        ? (a.credits() == null ? "" : "credits " + number(a.credits()))
        : (a.errorCode() == null ? "" : "error " + a.errorCode());
    if (a.stored() != null) {
      detail += (detail.isEmpty() ? "" : "  ") + (a.stored().startsWith("storeError") ? "" : "stored ") + a.stored();
    }
    if (!a.asScripted()) {
      detail += "  <-- scripted to end " + a.sent().request().expected();
    }
    return String.format(Locale.ROOT, PROGRESS, LocalTime.now().format(CLOCK), a.sent().requestId(),
        a.model() == null ? "?" : a.model(), a.sent().request().kind(), a.status(), a.attempts(),
        seconds(a.latencyMillis()), detail).stripTrailing();
  }

  public void print(PrintStream out) {
    out.println();
    out.println("Summary");
    printStatuses(out);
    out.println();
    printModels(out);
    out.println();
    printQueue(out);
    out.println();
    printFigures(out);
  }

  private void printStatuses(PrintStream out) {
    out.printf("  %-10s  %7s  %8s%n", "status", "results", "scripted");
    for (String status : STATUSES) {
      long scripted = tally.sent().stream().filter(s -> s.request().expected().name().equals(status)).count();
      out.printf("  %-10s  %7d  %8d%n", status, tally.count(status), scripted);
    }
  }

  private void printModels(PrintStream out) {
    String row = "  %-24s  %8s  %9s  %6s  %8s  %7s  %7s%n";
    out.printf(row, "model", "requests", "succeeded", "failed", "rejected", "p50 e2e", "p95 e2e");
    Map<String, List<DemoTally.Sent>> byModel = new LinkedHashMap<>();
    tally.sent().forEach(s -> byModel.computeIfAbsent(s.request().model(), m -> new java.util.ArrayList<>()).add(s));
    byModel.forEach((model, sent) -> {
      List<Arrival> arrivals = tally.arrivals().stream().filter(a -> sent.contains(a.sent())).toList();
      List<Long> latencies = generated(arrivals);
      out.printf(row, model, sent.size(), count(arrivals, "SUCCEEDED"), count(arrivals, "FAILED"),
          count(arrivals, "REJECTED"), percentile(latencies, 50), percentile(latencies, 95));
    });
  }

  /** Per tenant the wait for a create (produced → create started), then what the high-priority request overtook. */
  private void printQueue(PrintStream out) {
    String row = "  %-10s  %8s  %7s  %14s  %14s%n";
    out.printf(row, "tenant", "requests", "created", "queue wait p50", "queue wait max");
    Map<String, List<Arrival>> byTenant = new java.util.TreeMap<>();
    tally.arrivals().stream().filter(a -> a.sent().request().tenant() != null)
        .forEach(a -> byTenant.computeIfAbsent(a.sent().request().tenant(), t -> new java.util.ArrayList<>()).add(a));
    byTenant.forEach((tenant, arrivals) -> {
      List<Long> waits = arrivals.stream().map(Arrival::queueWaitMillis).filter(w -> w >= 0).sorted().toList();
      out.printf(row, tenant, arrivals.size(), waits.size(), percentile(waits, 50), percentile(waits, 100));
    });
    tally.arrivals().stream().filter(a -> a.sent().request().highPriority() && a.submittedAt() != null)
        .forEach(high -> out.printf("  high priority: %s was produced after %d requests and created before %d of them "
                + "(queue wait %s)%n", high.sent().requestId(), producedBefore(high).size(), overtaken(high),
            seconds(high.queueWaitMillis())));
  }

  private List<Arrival> producedBefore(Arrival a) {
    return tally.arrivals().stream().filter(o -> o.sent().sentAtNanos() < a.sent().sentAtNanos()).toList();
  }

  /** Requests produced before {@code a} whose create started after its own. */
  long overtaken(Arrival a) {
    return producedBefore(a).stream().filter(o -> o.submittedAt() != null && o.submittedAt().isAfter(a.submittedAt()))
        .count();
  }

  private void printFigures(PrintStream out) {
    List<Long> latencies = generated(tally.arrivals());
    List<Long> rejected = tally.arrivals().stream().filter(a -> a.status().equals("REJECTED"))
        .map(Arrival::latencyMillis).sorted().toList();
    long tasks = sim.createsAccepted();
    long polls = sim.recordInfoPolls() + sim.legacyRecordInfoPolls();
    long valid = tally.validRequests();
    double credits = tally.arrivals().stream().filter(a -> a.credits() != null).mapToDouble(Arrival::credits).sum();
    out.printf("  end-to-end latency (produced -> result consumed), SUCCEEDED/FAILED: p50 %s, p95 %s, max %s%n",
        percentile(latencies, 50), percentile(latencies, 95), percentile(latencies, 100));
    out.printf("  end-to-end latency of REJECTED (validation only, no paid call): p50 %s%n",
        percentile(rejected, 50));
    out.printf("  status polls per task: %s (%d recordInfo reads for %d Kie.ai tasks; %s)%n",
        ratio(polls, tasks), polls, tasks, callbacks ? "callbacks on, polling is the safety net" : "poll only");
    out.printf("  paid creates per valid request: %s (%d accepted creates for %d valid requests; "
        + "a task Kie.ai fails with a 5xx is submitted once more)%n", ratio(tasks, valid), tasks, valid);
    if (callbacks) {
      out.printf("  callbacks: %d sent by Kie.ai (simulated), %d accepted by the worker%n",
          sim.callbacksSent(), sim.callbacksSucceeded());
    }
    out.printf("  inline images uploaded first: %d; credits consumed: %s%n",
        sim.uploads("base64") + sim.uploads("stream"), number(credits));
    out.printf("  create rate limit: creates past %s wait for the window (429s from the simulator: %d)%n",
        createLimit, sim.rateLimited());
    if (store) {
      long copied = tally.arrivals().stream().filter(a -> a.stored() != null && !a.stored().startsWith("storeError")).count();
      long failed = tally.arrivals().stream().filter(a -> a.stored() != null && a.stored().startsWith("storeError")).count();
      out.printf("  result store: %d results with stored copies, %d with storeError (their Kie.ai URLs kept)%n",
          copied, failed);
    }
    out.printf("  duplicates: %d   missing: %d   unknown ids: %d   not as scripted: %d%n",
        tally.duplicates(), tally.missing().size(), tally.unknownIds().size(), tally.notAsScripted().size());
    tally.missing().forEach(s -> out.printf("    missing: %s (%s, %s)%n", s.requestId(), s.request().model(),
        s.request().kind()));
    tally.notAsScripted().forEach(a -> out.printf("    %s ended %s, scripted %s%n", a.sent().requestId(),
        a.status(), a.sent().request().expected()));
  }

  /** Latencies of requests that reached Kie.ai (rejected ones never do). */
  private static List<Long> generated(Collection<Arrival> arrivals) {
    return arrivals.stream().filter(a -> !a.status().equals("REJECTED")).map(Arrival::latencyMillis).sorted().toList();
  }

  private static long count(List<Arrival> arrivals, String status) {
    return arrivals.stream().filter(a -> a.status().equals(status)).count();
  }

  /** Nearest-rank percentile of sorted values, as seconds; "-" for none. */
  static String percentile(List<Long> sorted, int p) {
    long value = io.kieworker.tools.Percentiles.of(sorted.stream().mapToLong(Long::longValue).toArray(), p / 100.0);
    return value < 0 ? "-" : seconds(value);
  }

  private static String ratio(long a, long b) {
    return b == 0 ? "-" : String.format(Locale.ROOT, "%.2f", (double) a / b);
  }

  private static String number(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : String.format(Locale.ROOT, "%.1f", d);
  }

  static String seconds(long millis) {
    return String.format(Locale.ROOT, "%.1fs", millis / 1000.0);
  }

  static String seconds(Duration d) {
    return seconds(d.toMillis());
  }
}
