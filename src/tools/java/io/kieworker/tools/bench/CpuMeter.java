package io.kieworker.tools.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * CPU time over a phase of a bench run: the whole process (broker, simulator, worker and the bench's
 * own clients share it) and the Vert.x event-loop threads that appeared after {@link #start()} — when
 * started just before the worker, and with the simulator already running, those are the worker's.
 */
final class CpuMeter {
  private static final String EVENT_LOOP = "vert.x-eventloop-thread-";

  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private final Set<Long> before = new HashSet<>();
  private final Map<Long, Long> cpuAtStart = new HashMap<>();
  private long processStart;
  private long gcMillisStart;
  private long jitMillisStart;

  /** Snapshots the process CPU time and the threads that already exist. */
  CpuMeter start() {
    processStart = processCpuNanos();
    gcMillisStart = gcMillis();
    jitMillisStart = jitMillis();
    for (long id : threads.getAllThreadIds()) {
      before.add(id);
      cpuAtStart.put(id, Math.max(threads.getThreadCpuTime(id), 0));
    }
    return this;
  }

  /** Process CPU nanoseconds since {@link #start()}, or -1 if the JVM does not report it. */
  long processNanos() {
    long now = processCpuNanos();
    return now < 0 || processStart < 0 ? -1 : now - processStart;
  }

  /** CPU nanoseconds of the event-loop threads started since {@link #start()} (their whole life so far). */
  long newEventLoopNanos() {
    if (!threads.isThreadCpuTimeSupported()) {
      return -1;
    }
    long sum = 0;
    for (Map.Entry<Long, String> t : newEventLoops().entrySet()) {
      long cpu = threads.getThreadCpuTime(t.getKey());
      sum += Math.max(cpu, 0);
    }
    return sum;
  }

  /**
   * CPU milliseconds since {@link #start()} per thread group (the thread name with its digits
   * removed), the largest {@code top} groups, largest first; threads that ended are not counted.
   */
  String topThreadGroups(int top) {
    Map<String, Long> groups = new HashMap<>();
    for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info != null) {
        long cpu = Math.max(threads.getThreadCpuTime(info.getThreadId()), 0)
            - cpuAtStart.getOrDefault(info.getThreadId(), 0L);
        groups.merge(info.getThreadName().replaceAll("[0-9]+", "#"), Math.max(cpu, 0), Long::sum);
      }
    }
    StringBuilder out = new StringBuilder();
    groups.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .limit(top)
        .forEach(e -> out.append(out.isEmpty() ? "" : ", ").append(e.getKey()).append(' ')
            .append(e.getValue() / 1_000_000).append(" ms"));
    return out.toString();
  }

  private Map<Long, String> newEventLoops() {
    Map<Long, String> found = new HashMap<>();
    for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info != null && !before.contains(info.getThreadId()) && info.getThreadName().startsWith(EVENT_LOOP)) {
        found.put(info.getThreadId(), info.getThreadName());
      }
    }
    return found;
  }

  /** Collection time of all collectors since {@link #start()} (elapsed, not CPU; GC threads are not Java threads). */
  long gcMillisSinceStart() {
    return gcMillis() - gcMillisStart;
  }

  /** Approximate time the JIT compilers spent since {@link #start()} (their threads are not listed either). */
  long jitMillisSinceStart() {
    return jitMillis() - jitMillisStart;
  }

  private static long gcMillis() {
    long sum = 0;
    for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      sum += Math.max(gc.getCollectionTime(), 0);
    }
    return sum;
  }

  private static long jitMillis() {
    var jit = ManagementFactory.getCompilationMXBean();
    return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
  }

  private static long processCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return -1;
  }
}
