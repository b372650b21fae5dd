package io.kieworker.demand;

import io.kieworker.metrics.WorkerMetrics;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.function.IntSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shares the account's create limit across the group by demand, coordinated through a small
 * compacted topic (one partition) instead of a server: every instance publishes its demand
 * (requests waiting for a create + creates in flight) under its instance id every interval and at
 * once on a big change, reads every instance's reports, and takes its max-min fair share
 * ({@link io.kieworker.submit.FairShares}) of the live instances' demands. Every instance computes
 * the same shares from the same reports, so one hot partition, one hot instance or an even spread all
 * get the whole limit while the group's backlog exceeds it.
 *
 * <h2>Why it never overshoots</h2>
 * The shares of one view add up to the limit, but instances apply a change at slightly different
 * times. So a decrease applies at once and an increase starts <em>as used</em>: the added creates
 * count as taken {@link #startDelayMillis} after the change was seen and free one window later
 * ({@link io.kieworker.submit.CreateRateLimiter#share}). Whoever gave the share up has stopped using
 * it by then, and its creates of the window before have left the window. The start delay covers how
 * far apart two instances can see the same change: a report reaches every reader within the fetch
 * wait (100 ms) plus the poll; an expiry is seen on the next tick (interval / 4); an instance's own
 * view goes stale (broker unreachable) at most one interval apart from another's — so delay =
 * interval + tick + {@value #SLACK_MS} ms.
 * <ul>
 *   <li><b>kill -9:</b> the dead instance creates nothing more; its report ages out after the TTL (3
 *       intervals) and the others' increases start as used, so its last window is respected.</li>
 *   <li><b>new instance:</b> it reads from one window plus two TTLs back and is not live before it
 *       has read for longer than one interval and read its own report back (so it has seen every
 *       live instance's report). Until then, and whenever its own report is not read back within
 *       the TTL (broker down, start-up), it falls back to the partition-proportional share, as
 *       before; that switch is a change like any other (decrease at once, increase as used).</li>
 *   <li><b>rebalance:</b> partitions do not matter while the view is live; demand follows the
 *       requests to their new owner through the reports.</li>
 *   <li><b>broker restart:</b> no create is possible meanwhile (the SUBMITTING write before each
 *       create needs the broker); the views go stale within one interval of each other, fall back
 *       to partition shares, and come back as the reports flow again.</li>
 * </ul>
 * <b>Worst case.</b> Zero overshoot while every instance sees each change within the start delay of
 * the others and sends each create within the start delay of taking its slot. Beyond that (an
 * instance whose event loop or reader stalls for longer, a create whose SUBMITTING write takes
 * longer than the delay, a reader stuck while its producer still reports, a rolling upgrade from a
 * version that did not report), the excess is at most what the late instance's old share allows
 * during the excess time — at most one share per window — and the 429 AIMD of the limiter (share
 * halved, grown back by one per quiet window) is the last guard.
 *
 * <p>Event-loop confined (the worker's context); the reader runs on its own thread.
 */
public final class DemandSharing {
  private static final Logger LOG = LoggerFactory.getLogger(DemandSharing.class);
  /** Fetch wait (100 ms), poll turn, produce latency and timer lateness, generously. */
  static final long SLACK_MS = 500;
  static final int TTL_INTERVALS = 3;

  /** Told on the worker's context whenever this instance's group share changes. */
  public interface Listener {
    /**
     * @param share this instance's share in whole creates per window, or null while its view of the
     *     group is not live (then the partition-proportional share applies)
     * @param startDelayMillis how long after now an increase starts (as used for one window)
     */
    void groupShare(Integer share, long startDelayMillis);
  }

  private final Vertx vertx;
  private final KafkaProducer<String, Buffer> producer;
  private final String topic;
  private final String instanceId;
  private final int limit;
  private final long intervalMillis;
  private final long tickMillis;
  private final IntSupplier demand;
  private final Listener listener;
  private final Context context;
  private final Properties kafka;
  private final Duration lookback;
  private final WorkerMetrics metrics;
  private final DemandView view;
  /** Made in {@link #start()}: a worker that fails to start leaves no consumer behind. */
  private DemandReader reader;
  private long timer = -1;
  private long lastPublishedAt;
  private int lastPublished = -1;
  private boolean sending;
  private boolean sendFailing;
  private boolean stopped;
  private Integer applied;
  private boolean wasLive;
  // Read by the metrics scrape: written on the worker's context only.
  private volatile long groupDemand;
  private volatile int liveInstances;
  private volatile boolean live;

  /**
   * @param limit the account's creates per {@code window}
   * @param interval how often this instance reports (WORKER_DEMAND_INTERVAL)
   * @param demand this instance's demand now (called on the worker's context)
   */
  public DemandSharing(Vertx vertx, Context context, KafkaProducer<String, Buffer> producer, Properties kafka,
      String topic, String instanceId, int limit, Duration window, Duration interval, IntSupplier demand,
      WorkerMetrics metrics, Listener listener) {
    this.vertx = vertx;
    this.producer = producer;
    this.topic = topic;
    this.instanceId = instanceId;
    this.limit = limit;
    this.intervalMillis = interval.toMillis();
    this.tickMillis = Math.max(10, intervalMillis / 4);
    this.demand = demand;
    this.listener = listener;
    long ttl = TTL_INTERVALS * intervalMillis;
    this.context = context;
    this.kafka = kafka;
    this.lookback = window.plus(Duration.ofMillis(2 * ttl));
    this.metrics = metrics;
    this.view = new DemandView(instanceId, ttl, Long.MAX_VALUE);
    metrics.gauge("kie_worker.demand.group", "Create demand of the group's live instances (queued + in flight)",
        () -> groupDemand);
    metrics.gauge("kie_worker.demand.instances", "Instances whose demand report is live", () -> liveInstances);
    metrics.gauge("kie_worker.demand.live", "1 while this instance's view of the group's demand is live",
        () -> live ? 1 : 0);
  }

  /** How long after a change is seen an increase starts (as used for one window). */
  long startDelayMillis() {
    return intervalMillis + tickMillis + SLACK_MS;
  }

  public void start() {
    view.warmAt(System.currentTimeMillis() + startDelayMillis());
    reader = new DemandReader(kafka, topic, lookback, context, this::onRecords);
    reader.bindMetrics(metrics.registry());
    reader.start();
    timer = vertx.setPeriodic(tickMillis, id -> tick());
    tick();
  }

  /**
   * Stops reporting and reading, and says this instance left (a tombstone), so the others take its
   * share one window later instead of one TTL later. Call after the last create was sent.
   */
  public Future<Void> stop() {
    if (reader == null || stopped) {
      stopped = true;
      return Future.succeededFuture();
    }
    stopped = true;
    vertx.cancelTimer(timer);
    reader.close();
    Promise<Void> done = Promise.promise();
    producer.send(KafkaProducerRecord.create(topic, instanceId, (Buffer) null, 0))
        .onComplete(ar -> done.tryComplete());
    vertx.setTimer(2_000, id -> done.tryComplete());
    return done.future();
  }

  private void tick() {
    if (stopped) {
      return;
    }
    long now = System.currentTimeMillis();
    int d = Math.max(0, demand.getAsInt());
    if (lastPublished < 0 || now - lastPublishedAt >= intervalMillis || bigChange(d)) {
      publish(d, now);
    }
    apply(now);
  }

  /** Idle to busy or back, or a change of a quarter of the limit: worth telling before the interval ends. */
  private boolean bigChange(int d) {
    return lastPublished >= 0 && ((d == 0) != (lastPublished == 0)
        || Math.abs(d - lastPublished) >= Math.max(1, limit / 4));
  }

  /** One report in flight at most: while the broker is away reports do not pile up in the producer. */
  private void publish(int d, long now) {
    if (sending) {
      return;
    }
    sending = true;
    lastPublishedAt = now;
    lastPublished = d;
    producer.send(KafkaProducerRecord.create(topic, instanceId, new DemandReport(instanceId, d, now).encode(), 0))
        .onComplete(ar -> {
          sending = false;
          if (ar.failed() && !sendFailing) {
            sendFailing = true;
            LOG.warn("Demand report to {} failed: {} (the create share falls back to partitions while reports"
                + " are not read back)", topic, ar.cause().toString());
          } else if (ar.succeeded() && sendFailing) {
            sendFailing = false;
            LOG.info("Demand reports to {} are written again", topic);
          }
        });
  }

  private void onRecords(List<ConsumerRecord<String, byte[]>> records) {
    if (stopped) {
      return;
    }
    long now = System.currentTimeMillis();
    for (ConsumerRecord<String, byte[]> r : records) {
      if (r.value() == null) {
        if (r.key() != null) {
          view.left(r.key());
        }
        continue;
      }
      DemandReport report = DemandReport.parse(r.key(), r.value());
      if (report != null) {
        view.report(report, now);
      } else {
        LOG.debug("Skipped an invalid demand report at {}-{}@{}", r.topic(), r.partition(), r.offset());
      }
    }
    apply(now);
  }

  private void apply(long now) {
    Integer share = view.share(limit, now);
    Map<String, Integer> demands = view.liveDemands(now);
    groupDemand = demands.values().stream().mapToLong(Integer::longValue).sum();
    liveInstances = demands.size();
    live = share != null;
    if (live != wasLive) {
      wasLive = live;
      LOG.info(live ? "Create share follows the group's demand ({} live instance(s))"
          : "Create share back to partitions: this instance's demand report was not read back within {} ms",
          live ? demands.size() : TTL_INTERVALS * intervalMillis);
    }
    if (!Objects.equals(share, applied)) {
      applied = share;
      listener.groupShare(share, startDelayMillis());
    }
  }
}
