package io.kieworker.sim;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every task the simulator created, plus the account balance. Tasks settle lazily: whoever asks
 * (a request, a stats snapshot) first moves every task whose time is up from pending to
 * succeeded/failed and charges successes. Lookups are lock-free; settlement and the balance are
 * guarded by this object's monitor, since the Java API reads them from test threads.
 */
public final class SimTasks {
  private final ConcurrentHashMap<String, SimTask> byId = new ConcurrentHashMap<>();
  private final PriorityQueue<SimTask> unsettled =
      new PriorityQueue<>(Comparator.comparingLong(SimTask::completeTime));
  private double balance;
  private long succeeded;
  private long failed;

  SimTasks(double balance) {
    this.balance = balance;
  }

  public Optional<SimTask> find(String taskId) {
    return taskId == null ? Optional.empty() : Optional.ofNullable(byId.get(taskId));
  }

  public Collection<SimTask> all() {
    return List.copyOf(byId.values());
  }

  public int size() {
    return byId.size();
  }

  /**
   * Stores the task, or returns false when the balance is below its credits. Like Kie.ai's check,
   * credits of still-running tasks are not held back: they are charged when the task succeeds.
   */
  synchronized boolean tryAdd(SimTask task, long now) {
    settle(now);
    if (balance < task.credits()) {
      return false;
    }
    byId.put(task.taskId(), task);
    unsettled.add(task);
    return true;
  }

  synchronized void settle(long now) {
    SimTask t;
    while ((t = unsettled.peek()) != null && t.completeTime() <= now) {
      unsettled.poll();
      if (t.willFail()) {
        failed++;
      } else {
        succeeded++;
        balance -= t.credits();
      }
    }
  }

  public synchronized double balance() {
    settle(System.currentTimeMillis());
    return balance;
  }

  synchronized void balance(double credits) {
    settle(System.currentTimeMillis());
    balance = credits;
  }

  public synchronized long pending() {
    settle(System.currentTimeMillis());
    return unsettled.size();
  }

  public synchronized long succeeded() {
    settle(System.currentTimeMillis());
    return succeeded;
  }

  public synchronized long failed() {
    settle(System.currentTimeMillis());
    return failed;
  }

  synchronized void clear(double startBalance) {
    byId.clear();
    unsettled.clear();
    balance = startBalance;
    succeeded = 0;
    failed = 0;
  }

  List<SimTask> snapshot() {
    return new ArrayList<>(byId.values());
  }
}
