package io.kieworker.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class CreateQueueTest {
  private static final long STEP = 60_000;

  private static CreateQueue<String> queue() {
    return new CreateQueue<>(STEP, tenant -> 1);
  }

  private static List<String> drain(CreateQueue<String> q, long now, int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n && !q.isEmpty(); i++) {
      out.add(q.poll(now).item());
    }
    return out;
  }

  @Test
  void higherPrioritiesFirstThenFifo() {
    CreateQueue<String> q = queue();
    q.addLast("n1", Priority.NORMAL, "t", 0);
    q.addLast("l1", Priority.LOW, "t", 0);
    q.addLast("h1", Priority.HIGH, "t", 0);
    q.addLast("n2", Priority.NORMAL, "t", 0);

    assertThat(drain(q, 0, 10)).containsExactly("h1", "n1", "n2", "l1");
  }

  @Test
  void aHighRequestOvertakesABacklog() {
    CreateQueue<String> q = queue();
    for (int i = 0; i < 200; i++) {
      q.addLast("n" + i, Priority.NORMAL, "a", i);
    }
    q.poll(300);
    q.addLast("urgent", Priority.HIGH, "a", 300);

    assertThat(q.poll(301).item()).isEqualTo("urgent");
  }

  @Test
  void lowIsAgedNotStarved() {
    CreateQueue<String> q = queue();
    q.addLast("low", Priority.LOW, "t", 0);
    for (int i = 0; i < 10; i++) {
      q.addLast("n" + i, Priority.NORMAL, "t", 2 * STEP);
    }
    // Two aging steps old: low now ranks with high, above the fresh normal backlog.
    assertThat(q.poll(2 * STEP).item()).isEqualTo("low");

    CreateQueue<String> young = queue();
    young.addLast("low", Priority.LOW, "t", 0);
    young.addLast("n", Priority.NORMAL, "t", 0);
    assertThat(young.poll(STEP / 2).item()).isEqualTo("n");
  }

  @Test
  void lowIsNotStarvedByANormalBacklogThatKeepsGrowing() {
    CreateQueue<String> q = queue();
    for (int i = 0; i < 200; i++) {
      q.addLast("old" + i, Priority.NORMAL, "t", 0);
    }
    long start = 2 * STEP; // the normal backlog's oldest has waited two steps, and it never catches up:
    q.addLast("low", Priority.LOW, "t", start);
    int n = 0;
    for (long now = start; now < start + 10 * STEP; now += 1000) { // 3 normal arrivals per 2 creates
      for (int k = 0; k < 3; k++) {
        q.addLast("new" + n++, Priority.NORMAL, "t", now);
      }
      for (int k = 0; k < 2; k++) {
        if (q.poll(now).item().equals("low")) {
          // Its level is due once its wait exceeds the normal head's by a step: about 5 minutes here.
          assertThat(now - start).isBetween(2 * STEP, 8 * STEP);
          return;
        }
      }
    }
    throw new AssertionError("low starved behind a normal backlog whose oldest waited over a step for 10 steps");
  }

  @Test
  void aSmallTenantWaitsAboutOneRoundNotBehindABacklog() {
    CreateQueue<String> q = queue();
    for (int i = 0; i < 200; i++) {
      q.addLast("a" + i, Priority.NORMAL, "acme", 0);
    }
    drain(q, 0, 50);
    q.addLast("b0", Priority.NORMAL, "beta", 0);

    assertThat(drain(q, 0, 2)).contains("b0");
  }

  @Test
  void weightsShareCreatesInProportion() {
    CreateQueue<String> q = new CreateQueue<>(STEP, tenant -> tenant.equals("acme") ? 3 : 1);
    for (int i = 0; i < 100; i++) {
      q.addLast("a" + i, Priority.NORMAL, "acme", 0);
      q.addLast("b" + i, Priority.NORMAL, "beta", 0);
    }
    Map<Character, Integer> picked = new HashMap<>();
    drain(q, 0, 80).forEach(item -> picked.merge(item.charAt(0), 1, Integer::sum));

    assertThat(picked.get('a')).isEqualTo(60);
    assertThat(picked.get('b')).isEqualTo(20);
  }

  @Test
  void anIdleTenantRejoinsAtTheCurrentPassWithoutABurst() {
    CreateQueue<String> q = queue();
    q.addLast("b0", Priority.NORMAL, "beta", 0);
    assertThat(q.poll(0).item()).isEqualTo("b0");
    for (int i = 0; i < 20; i++) {
      q.addLast("a" + i, Priority.NORMAL, "acme", 0);
    }
    drain(q, 0, 10);
    for (int i = 1; i <= 5; i++) {
      q.addLast("b" + i, Priority.NORMAL, "beta", 0);
    }
    // beta was idle while acme ran: it alternates with acme from now on, it does not take 5 in a row.
    assertThat(drain(q, 0, 4)).containsExactly("b1", "a10", "b2", "a11");
  }

  @Test
  void addFirstPutsARetryBackInFrontOfItsTenant() {
    CreateQueue<String> q = queue();
    q.addLast("a1", Priority.NORMAL, "t", 0);
    q.addLast("a2", Priority.NORMAL, "t", 0);
    CreateQueue.Entry<String> first = q.poll(0);
    q.addFirst(first.item(), first.priority(), first.tenant(), first.enqueuedAt());

    assertThat(drain(q, 0, 5)).containsExactly("a1", "a2");
  }

  @Test
  void removeTakesAnItemOutWhereverItIs() {
    CreateQueue<String> q = queue();
    q.addLast("a", Priority.HIGH, "x", 0);
    q.addLast("b", Priority.LOW, "y", 0);

    assertThat(q.remove("b")).isTrue();
    assertThat(q.remove("b")).isFalse();
    assertThat(q.contains("a")).isTrue();
    assertThat(drain(q, 0, 5)).containsExactly("a");
    assertThat(q.isEmpty()).isTrue();
    assertThat(q.poll(0)).isNull();
  }

  @Test
  void countsByPriorityAndTenant() {
    CreateQueue<String> q = queue();
    q.addLast("a", Priority.HIGH, "x", 0);
    q.addLast("b", Priority.HIGH, "x", 0);
    q.addLast("c", Priority.LOW, "y", 0);
    q.addLast("c", Priority.LOW, "y", 0); // already queued: ignored

    assertThat(q.counts().get(Priority.HIGH)).containsEntry("x", 2);
    assertThat(q.counts().get(Priority.LOW)).containsEntry("y", 1);
    assertThat(q.size()).isEqualTo(3);
  }
}
