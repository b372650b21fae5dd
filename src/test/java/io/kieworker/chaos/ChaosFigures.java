package io.kieworker.chaos;

import io.kieworker.sim.SimTask;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** What the chaos run counts, computed from what downstream and the simulator saw, and the table. */
final class ChaosFigures {
  private static final Pattern MARKER = Pattern.compile("\\[id:([^\\]]+)\\]");

  /** One disruption and the partitions it hit; {@code at} is wall-clock ms. */
  record Disruption(String what, String worker, long at, Set<Integer> partitions) {}

  // inputs
  int requestsSent;
  int sendRetries;
  Set<String> withoutCallback = Set.of();
  long forgedSent;
  long forgedAccepted;
  long forgedUnreachable;
  long replayed;
  long replaysAnswered200;
  long resultsFromReplays;
  long runtimeMs;
  final List<Disruption> disruptions = new ArrayList<>();
  final Map<Disruption, Long> recoveryMs = new LinkedHashMap<>();
  final List<String> notes = new ArrayList<>();

  // computed
  long paidCreates;
  long failedByKie;
  int terminalResults;
  long resultRecords;
  Set<String> missing = Set.of();
  long duplicates;
  long inconsistentDuplicates;
  long wrongCeId;
  long unexpectedIds;
  final Map<String, Long> statuses = new TreeMap<>();
  int requestsWithSeveralTasks;
  int intendedResubmissions;
  final Set<String> paidTwiceWithCallbacks = new TreeSet<>();
  final Set<String> paidTwiceWithoutCallbacks = new TreeSet<>();
  final Map<String, Integer> logEvents = new LinkedHashMap<>();

  void count(List<String> sentIds, List<ResultWatcher.Result> results, Collection<SimTask> tasks) {
    Set<String> sent = new TreeSet<>(sentIds);
    resultRecords = results.size();
    Map<String, List<ResultWatcher.Result>> byId = new HashMap<>();
    for (ResultWatcher.Result r : results) {
      byId.computeIfAbsent(r.requestId(), k -> new ArrayList<>()).add(r);
      if (!r.requestId().equals(r.ceId())) {
        wrongCeId++;
      }
    }
    Set<String> missingIds = new TreeSet<>(sent);
    missingIds.removeAll(byId.keySet());
    missing = missingIds;
    unexpectedIds = byId.keySet().stream().filter(id -> !sent.contains(id)).count();
    terminalResults = (int) byId.keySet().stream().filter(sent::contains).count();
    for (List<ResultWatcher.Result> same : byId.values()) {
      statuses.merge(same.get(0).status(), 1L, Long::sum);
      duplicates += same.size() - 1;
      for (ResultWatcher.Result r : same.subList(1, same.size())) {
        if (!r.status().equals(same.get(0).status()) || !java.util.Objects.equals(r.ceId(), same.get(0).ceId())) {
          inconsistentDuplicates++;
        }
      }
    }
    countPaid(sent, tasks);
  }

  private void countPaid(Set<String> sent, Collection<SimTask> tasks) {
    Map<String, List<SimTask>> byRequest = new HashMap<>();
    for (SimTask task : tasks) {
      Matcher m = MARKER.matcher(task.promptHead() == null ? "" : task.promptHead());
      if (m.find() && sent.contains(m.group(1))) {
        byRequest.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(task);
      }
    }
    for (var e : byRequest.entrySet()) {
      List<SimTask> list = e.getValue();
      paidCreates += list.size();
      long failed = list.stream().filter(SimTask::willFail).count();
      failedByKie += failed;
      if (list.size() > 1) {
        requestsWithSeveralTasks++;
      }
      // A task Kie.ai failed costs nothing; submitting again after it is the intended retry.
      if (list.size() - failed > 1) {
        (withoutCallback.contains(e.getKey()) ? paidTwiceWithoutCallbacks : paidTwiceWithCallbacks).add(e.getKey());
      } else {
        intendedResubmissions += list.size() - 1;
      }
    }
  }

  /** Counts what the workers said about ambiguous creates and fencing, over every worker's log. */
  void readLogs(Path logDir) {
    Map<String, String> patterns = new LinkedHashMap<>();
    patterns.put("crash hook fired (halt between create and ledger write)", "halting between a create and its ledger write");
    patterns.put("ambiguous creates (timeout after send, or SUBMITTING restored)", "is ambiguous (");
    patterns.put("  of which SUBMITTING restored by a new owner", "is ambiguous (restored from a SUBMITTING record)");
    patterns.put("ambiguous creates resolved by their callback", "resolved by its callback");
    patterns.put("ambiguous creates submitted again after the grace", "No callback for ambiguous create of");
    patterns.put("resubmissions after a Kie.ai 5xx task failure", "); submitting again");
    patterns.put("fenced out of a partition (newer epoch seen)", "Fenced out of partition");
    patterns.put("duplicate requests ignored (already pending)", "is already being processed");
    patterns.put("results republished from the dedupe window", "already finished; republishing");
    patterns.put("request records read again, answered before (nothing written)", "was answered before; read again");
    patterns.put("unreadable ledger records skipped (state kept)", "Unreadable ledger record");
    patterns.keySet().forEach(k -> logEvents.put(k, 0));
    try (Stream<Path> files = Files.list(logDir)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".log")).toList()) {
        for (String line : Files.readAllLines(file)) {
          patterns.forEach((label, text) -> {
            if (line.contains(text)) {
              logEvents.merge(label, 1, Integer::sum);
            }
          });
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Duplicate result records per request sent (issue 9 item 6: at most 1 %). */
  double duplicateShare() {
    return requestsSent == 0 ? 0 : (double) duplicates / requestsSent;
  }

  String table() {
    StringBuilder t = new StringBuilder();
    t.append("\n================ kie-worker chaos suite: figures ================\n");
    row(t, "requests sent (acknowledged by Kafka)", requestsSent);
    row(t, "  of which with callbacks dropped by Kie.ai (poll only)", withoutCallback.size());
    row(t, "  producer re-sends after a failed send", sendRetries);
    row(t, "paid creates (tasks the simulator created)", paidCreates);
    row(t, "  tasks Kie.ai failed (5xx failCode, not charged)", failedByKie);
    row(t, "  intended resubmissions (after a failed task)", intendedResubmissions);
    row(t, "requests with more than one task", requestsWithSeveralTasks);
    row(t, "terminal results (distinct requests)", terminalResults);
    statuses.forEach((status, n) -> row(t, "  " + status, n));
    row(t, "result records (duplicates included)", resultRecords);
    row(t, "MISSING results", missing.size());
    row(t, "duplicate results (same ce_id, same status)", duplicates - inconsistentDuplicates);
    t.append(String.format("  %-58s %8s%n", "  duplicate results, % of requests sent (target <= 1 %)",
        String.format("%.2f %%", duplicateShare() * 100)));
    row(t, "DUPLICATES THAT DISAGREE (status or ce_id)", inconsistentDuplicates);
    row(t, "results whose ce_id is not the request id", wrongCeId);
    row(t, "results for ids never sent", unexpectedIds);
    row(t, "REQUESTS PAID TWICE, callbacks on", paidTwiceWithCallbacks.size());
    row(t, "requests paid twice, callback dropped (poll only)", paidTwiceWithoutCallbacks.size());
    row(t, "forged callbacks sent", forgedSent);
    row(t, "FORGED CALLBACKS ACCEPTED", forgedAccepted);
    row(t, "  forged, worker unreachable", forgedUnreachable);
    row(t, "real callbacks replayed after completion", replayed);
    row(t, "  replays answered 200 (recorded, then ignored)", replaysAnswered200);
    row(t, "  RESULTS CAUSED BY REPLAYS", resultsFromReplays);
    logEvents.forEach((label, n) -> row(t, label, n));
    t.append("---- disruptions and time to recover ----\n");
    for (Disruption d : disruptions) {
      Long ms = recoveryMs.get(d);
      t.append(String.format("  %-58s %-4s partitions %-14s recovered in %s%n", d.what(), d.worker(),
          d.partitions(), ms == null ? "n/a" : ms < 0 ? "NEVER" : String.format("%.1f s", ms / 1000.0)));
    }
    row(t, "runtime of the scenario (s)", runtimeMs / 1000);
    notes.forEach(n -> t.append("note: ").append(n).append('\n'));
    if (!missing.isEmpty()) {
      t.append("missing (first 20): ").append(missing.stream().limit(20).toList()).append('\n');
    }
    if (!paidTwiceWithCallbacks.isEmpty()) {
      t.append("paid twice with callbacks on (first 20): ")
          .append(paidTwiceWithCallbacks.stream().limit(20).toList()).append('\n');
    }
    t.append("=================================================================\n");
    return t.toString();
  }

  private static void row(StringBuilder t, String label, long value) {
    t.append(String.format("  %-58s %8d%n", label, value));
  }
}
