package io.kieworker.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.kieworker.ledger.LedgerRecord;
import io.kieworker.queue.Priority;
import io.kieworker.queue.Tenants;
import io.kieworker.request.Endpoint;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The task's state machine: an attempt counts once it may have made a paid task, and only then. */
@Tag("unit")
class PendingTaskTest {
  private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");

  private static PendingTask task() {
    return new PendingTask("r1", 0, 5L, "google/nano-banana", Endpoint.MARKET, new JsonObject().put("prompt", "p"),
        new JsonObject(), new JsonArray(), NOW);
  }

  @Test
  void refusedCreatesAreNotAttemptsAndTheAttemptBeingMadeCarriesTheNextNumber() {
    PendingTask task = task();
    for (int refusal = 0; refusal < 3; refusal++) { // e.g. three 429s
      task.startCreate(NOW, Duration.ofMinutes(15));
      assertThat(task.attempt()).isEqualTo(1);
      assertThat(task.toLedger(LedgerRecord.Type.SUBMITTING, "w", 1, null).attempts()).isEqualTo(1);
      task.notCreated();
      assertThat(task.phase()).isEqualTo(PendingTask.Phase.QUEUED);
    }
    assertThat(task.attempts()).isZero();

    task.startCreate(NOW, Duration.ofMinutes(15));
    task.created("t1");

    assertThat(task.attempts()).isEqualTo(1);
    assertThat(task.phase()).isEqualTo(PendingTask.Phase.TRACKED);
    assertThat(task.deadlineAt).isEqualTo(NOW.plus(Duration.ofMinutes(15)).toEpochMilli());
  }

  @Test
  void aResubmissionAfterAFailureIsTheSecondAttempt() {
    PendingTask task = task();
    task.startCreate(NOW, Duration.ofMinutes(15));
    task.created("t1");
    task.resubmitted();
    assertThat(task.taskId).isNull();
    task.startCreate(NOW.plusSeconds(30), Duration.ofMinutes(15));
    assertThat(task.attempt()).isEqualTo(2);
    task.created("t2");

    assertThat(task.attempts()).isEqualTo(2);
    assertThat(task.submittedAt).isEqualTo(NOW); // the deadline runs from the first submission
  }

  @Test
  void anAmbiguousCreateCountsOnceEvenWhenItsCallbackConfirmsIt() {
    PendingTask task = task();
    task.startCreate(NOW, Duration.ofMinutes(15));
    task.ambiguousCreate();
    assertThat(task.attempts()).isEqualTo(1);

    task.created("t1"); // confirmed by its callback

    assertThat(task.attempts()).isEqualTo(1);
  }

  @Test
  void restoredRecordsSayWhetherTheirAttemptWasSent() {
    PendingTask creating = task();
    creating.startCreate(NOW, Duration.ofMinutes(15));
    LedgerRecord submitting = creating.toLedger(LedgerRecord.Type.SUBMITTING, "w", 1, null);
    LedgerRecord released = creating.toLedger(LedgerRecord.Type.RELEASED, "w", 1, null);

    PendingTask maybeSent = PendingTask.restore(submitting, 0);
    assertThat(maybeSent.attempts()).isEqualTo(1);
    maybeSent.ambiguousCreate(); // restored, not creating: nothing more is counted
    assertThat(maybeSent.attempts()).isEqualTo(1);
    maybeSent.releasedUnsent(); // the previous owner then says it never went out
    assertThat(maybeSent.attempts()).isZero();

    assertThat(PendingTask.restore(released, 0).attempts()).isZero();
  }

  @Test
  void anAcceptedRequestsLedgerRecordRestoresItsPlaceInTheQueue() {
    PendingTask accepted = task();
    accepted.priority = Priority.HIGH;
    accepted.tenant = "acme";
    accepted.queuedAt = NOW.toEpochMilli() + 7;
    accepted.expiresAtMillis = NOW.plusSeconds(60).toEpochMilli();
    LedgerRecord queued = LedgerRecord.fromJson(
        accepted.toLedger(LedgerRecord.Type.RELEASED, "w", 1, null).toJson());

    PendingTask restored = PendingTask.restore(queued, 0);

    assertThat(restored.attempts()).isZero();
    assertThat(restored.priority).isEqualTo(Priority.HIGH);
    assertThat(restored.tenant).isEqualTo("acme");
    assertThat(restored.queuedAt).isEqualTo(NOW.toEpochMilli() + 7);
    assertThat(restored.expired(NOW.plusSeconds(59).toEpochMilli())).isFalse();
    assertThat(restored.expired(NOW.plusSeconds(60).toEpochMilli())).isTrue();
  }

  @Test
  void aRecordOfAnOlderVersionQueuesAsNormalInTheDefaultTenantWithoutDeadline() {
    JsonObject old = task().toLedger(LedgerRecord.Type.RELEASED, "w", 1, null).toJson();
    old.remove("queue");

    PendingTask restored = PendingTask.restore(LedgerRecord.fromJson(old), 0);

    assertThat(restored.priority).isEqualTo(Priority.NORMAL);
    assertThat(restored.tenant).isEqualTo(Tenants.DEFAULT);
    assertThat(restored.queuedAt).isEqualTo(NOW.toEpochMilli());
    assertThat(restored.expired(Long.MAX_VALUE - 1)).isFalse();
  }

  @Test
  void onlyARequestWithoutAnAttemptCanExpire() {
    PendingTask task = task();
    task.expiresAtMillis = NOW.toEpochMilli();
    task.startCreate(NOW, Duration.ofMinutes(15));
    task.created("t1");
    task.resubmitted(); // queued again after a 5xx failure: a paid task existed

    assertThat(task.expired(NOW.plusSeconds(3600).toEpochMilli())).isFalse();
  }
}
