package io.kieworker.queue;

import io.kieworker.sim.KieSimulator;
import io.kieworker.sim.SimOptions;
import io.kieworker.sim.SimTask;
import io.kieworker.testing.KafkaBroker;
import io.kieworker.testing.WorkerHarness;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.TopicPartition;

/**
 * What the create-queue tests share: a simulator and workers on a short create window (10 creates
 * per second, so a 200-request backlog drains in about 20 s), requests with the queue fields, cancel
 * messages, the simulator's creates by request id, and the worker's Prometheus text.
 */
final class QueueFixture {
  /** Creates per {@link #WINDOW}, at the simulator and in the worker's limiter alike. */
  static final int LIMIT = 10;
  static final Duration WINDOW = Duration.ofSeconds(1);
  /**
   * How many backlog creates "about one window" allows besides the ones counted when a request was
   * produced: a window's worth of slots, plus two for creates that started while the count was read.
   */
  static final int ONE_WINDOW = LIMIT + 2;
  static final String MODEL = "google/nano-banana";

  private static final Pattern MARKER = Pattern.compile("\\[id:([^\\]]+)]");
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).build();

  private QueueFixture() {}

  static SimOptions sim(long seed) {
    return new SimOptions().rateLimit(LIMIT, WINDOW)
        .latency(SimOptions.ANY_MODEL, Duration.ofMillis(100), Duration.ofMillis(300)).seed(seed);
  }

  /** Worker settings matching {@link #sim}'s create limit; {@code extra} wins. */
  static Map<String, String> env(Map<String, String> extra) {
    Map<String, String> env = new HashMap<>();
    env.put("WORKER_CREATE_RATE_LIMIT", Integer.toString(LIMIT));
    env.put("WORKER_CREATE_RATE_WINDOW", WINDOW.toMillis() + "ms");
    env.putAll(extra);
    return env;
  }

  /** A request with the queue's optional fields; null ones are left out. */
  static final class Req {
    private final JsonObject json;

    private Req(String id, String promptExtra) {
      json = new JsonObject(WorkerHarness.request(id, MODEL, promptExtra));
    }

    static Req of(String id) {
      return new Req(id, "");
    }

    /** With simulator directives in the prompt, e.g. {@code [sim:latency=5s]}. */
    static Req of(String id, String directives) {
      return new Req(id, directives);
    }

    Req priority(String priority) {
      json.put("priority", priority);
      return this;
    }

    Req tenant(String tenant) {
      json.put("tenant", tenant);
      return this;
    }

    /** The fallback source of the tenant. */
    Req metadataTenant(String tenant) {
      json.put("metadata", new JsonObject().put("tenant", tenant));
      return this;
    }

    Req expiresAt(Instant at) {
      json.put("expiresAt", at.toString());
      return this;
    }

    String json() {
      return json.encode();
    }
  }

  /** The cancel message for {@code requestId} (sent with the request's key). */
  static String cancel(String requestId) {
    return new JsonObject().put("requestId", requestId).put("action", "cancel").encode();
  }

  /** Simulator tasks by the request id in their prompt marker, in create order. */
  static Map<String, List<SimTask>> creates(KieSimulator sim) {
    Map<String, List<SimTask>> byId = new HashMap<>();
    sim.tasks().all().stream().sorted(Comparator.comparingLong(SimTask::createTime)).forEach(t -> {
      String id = idOf(t);
      if (id != null) {
        byId.computeIfAbsent(id, k -> new ArrayList<>()).add(t);
      }
    });
    return byId;
  }

  /** The ids the simulator created a task for more than once (must stay empty). */
  static List<String> createdTwice(KieSimulator sim) {
    return creates(sim).entrySet().stream().filter(e -> e.getValue().size() > 1).map(Map.Entry::getKey).sorted()
        .toList();
  }

  /** The ids among {@code ids} the simulator has a task for (must stay empty for cancelled/expired ones). */
  static List<String> created(KieSimulator sim, Collection<String> ids) {
    Map<String, List<SimTask>> creates = creates(sim);
    return ids.stream().filter(creates::containsKey).sorted().toList();
  }

  static String idOf(SimTask task) {
    if (task.promptHead() == null) {
      return null;
    }
    Matcher m = MARKER.matcher(task.promptHead());
    return m.find() ? m.group(1) : null;
  }

  /** When the worker started the result's create ({@code timings.submittedAt}); null if it never did. */
  static Instant submittedAt(JsonObject result) {
    JsonObject timings = result.getJsonObject("timings");
    String at = timings == null ? null : timings.getString("submittedAt");
    return at == null ? null : Instant.parse(at);
  }

  /** How many of {@code ids} have a result whose create started before {@code than}'s. */
  static long startedBefore(Map<String, JsonObject> results, Collection<String> ids, String than) {
    Instant limit = submittedAt(results.get(than));
    return ids.stream().map(results::get).map(QueueFixture::submittedAt)
        .filter(at -> at != null && at.isBefore(limit)).count();
  }

  /**
   * The ids of {@code produced} (one tenant's requests in produce order) whose create started before
   * more than {@code tolerance} of the requests produced ahead of them: first in, first out, give or
   * take a create retried after a 429 (it goes again later) or two creates started in the same ms.
   */
  static List<String> outOfOrder(Map<String, JsonObject> results, List<String> produced, int tolerance) {
    List<String> created = produced.stream().filter(id -> results.get(id) != null && submittedAt(results.get(id)) != null)
        .toList();
    List<String> out = new ArrayList<>();
    for (int j = 0; j < created.size(); j++) {
      Instant at = submittedAt(results.get(created.get(j)));
      long overtaken = created.subList(0, j).stream().filter(id -> submittedAt(results.get(id)).isAfter(at)).count();
      if (overtaken > tolerance) {
        out.add(created.get(j) + " (before " + overtaken + " older)");
      }
    }
    return out;
  }

  static String status(JsonObject result) {
    return result.getString("status");
  }

  static String errorCode(JsonObject result) {
    JsonObject error = result.getJsonObject("error");
    return error == null ? null : error.getString("code");
  }

  /** The worker's {@code /metrics} text. */
  static String scrape(int httpPort) {
    try {
      HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + httpPort + "/metrics")).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
      return response.body();
    } catch (IOException e) {
      throw new AssertionError("scraping /metrics failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while scraping /metrics", e);
    }
  }

  /**
   * The sum of the samples of {@code name} (e.g. {@code kie_worker_cancels_total}) whose labels
   * include all of {@code labels} (e.g. {@code outcome="cancelled"}); 0 when there is none.
   */
  static double metric(String text, String name, String... labels) {
    double sum = 0;
    for (String line : text.lines().toList()) {
      if (line.startsWith("#") || !(line.startsWith(name + "{") || line.startsWith(name + " "))) {
        continue;
      }
      int space = line.lastIndexOf(' ');
      String head = line.substring(0, space);
      boolean all = true;
      for (String label : labels) {
        all &= head.contains(label);
      }
      if (all) {
        sum += Double.parseDouble(line.substring(space + 1));
      }
    }
    return sum;
  }

  /** The group's committed offset of request partition {@code partition} (-1 when none). */
  static long committed(WorkerHarness h, int partition) throws Exception {
    var offsets = KafkaBroker.admin().listConsumerGroupOffsets(h.group).partitionsToOffsetAndMetadata()
        .get(10, TimeUnit.SECONDS);
    var offset = offsets.get(new TopicPartition(h.requests, partition));
    return offset == null ? -1 : offset.offset();
  }
}
