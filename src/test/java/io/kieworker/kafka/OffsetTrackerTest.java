package io.kieworker.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Which request offsets may be committed: the contiguous finished run, per partition. */
@Tag("unit")
class OffsetTrackerTest {
  private final OffsetTracker tracker = new OffsetTracker();

  private void receive(int partition, long from, long to) {
    for (long o = from; o < to; o++) {
      tracker.received(partition, o);
    }
  }

  private void finish(int partition, long from, long to) {
    for (long o = from; o < to; o++) {
      tracker.finished(partition, o);
    }
  }

  @Test
  void commitsOnePastTheHighestContiguousFinishedOffset() {
    receive(0, 10, 15);
    tracker.finished(0, 10);
    tracker.finished(0, 11);

    assertThat(tracker.commitPositions()).isEqualTo(Map.of(0, 12L));
    assertThat(tracker.openCount(0)).isEqualTo(3);

    tracker.finished(0, 12);
    tracker.finished(0, 13);
    tracker.finished(0, 14);
    assertThat(tracker.commitPositions()).isEqualTo(Map.of(0, 15L));
    assertThat(tracker.openCount(0)).isZero();
  }

  @Test
  void aRecordFinishedOutOfOrderDoesNotMoveThePositionPastAnOpenOne() {
    receive(0, 0, 4);
    tracker.finished(0, 3);
    tracker.finished(0, 1);
    tracker.finished(0, 2);

    // 0 is still open: committing past it would lose it on a restart.
    assertThat(tracker.commitPositions().getOrDefault(0, 0L)).isZero();

    tracker.finished(0, 0);
    assertThat(tracker.commitPositions()).isEqualTo(Map.of(0, 4L));
  }

  @Test
  void aGapInTheOffsetsIsNoHole() {
    // Compacted or transactional topics skip offsets: only received offsets can hold the position back.
    tracker.received(0, 5);
    tracker.received(0, 9);
    tracker.finished(0, 5);
    assertThat(tracker.commitPositions()).isEqualTo(Map.of(0, 9L));
    tracker.finished(0, 9);
    assertThat(tracker.commitPositions()).isEqualTo(Map.of(0, 10L));
  }

  @Test
  void partitionsMoveIndependently() {
    receive(0, 0, 3);
    receive(1, 100, 103);
    tracker.finished(1, 100);
    tracker.finished(1, 101);
    tracker.finished(1, 102);

    Map<Integer, Long> positions = tracker.commitPositions();
    assertThat(positions).containsEntry(1, 103L);
    assertThat(positions.getOrDefault(0, 0L)).isZero();
  }

  @Test
  void aPositionIsHandedOutOnce() {
    receive(0, 0, 2);
    tracker.finished(0, 0);
    assertThat(tracker.commitPositions()).isEqualTo(Map.of(0, 1L));

    assertThat(tracker.commitPositions()).isEmpty();
    assertThat(tracker.release(0)).as("revoke after a commit with no progress since").isNull();
  }

  @Test
  void releaseAnswersTheProgressSinceTheLastCommitAndForgetsThePartition() {
    receive(3, 0, 4);
    tracker.finished(3, 0);
    assertThat(tracker.commitPositions()).isEqualTo(Map.of(3, 1L));
    tracker.finished(3, 1);

    assertThat(tracker.release(3)).isEqualTo(2L);

    assertThat(tracker.openCount(3)).isZero();
    assertThat(tracker.commitPositions()).isEmpty();
    assertThat(tracker.release(3)).isNull();
    // Reassigned later, the partition starts afresh from what it is handed again.
    tracker.received(3, 2);
    tracker.finished(3, 2);
    assertThat(tracker.commitPositions()).isEqualTo(Map.of(3, 3L));
  }

  @Test
  void releaseOfAPartitionWithOpenRecordsStopsAtTheFirstOpenOne() {
    receive(0, 7, 10);
    tracker.finished(0, 7);
    tracker.finished(0, 9);
    assertThat(tracker.release(0)).isEqualTo(8L);
  }

  @Test
  void anUnknownPartitionIsIgnored() {
    tracker.finished(9, 3);

    assertThat(tracker.openCount(9)).isZero();
    assertThat(tracker.release(9)).isNull();
    assertThat(tracker.commitPositions()).isEmpty();
  }

  @Test
  void aRecordFinishedAfterItsPartitionWasReleasedChangesNothing() {
    receive(0, 0, 2);
    tracker.release(0);
    // A task of a revoked partition finishes late: it must not resurrect the partition.
    tracker.finished(0, 1);
    assertThat(tracker.openCount(0)).isZero();
    assertThat(tracker.commitPositions()).isEmpty();
  }

  /** A failed async commit must not count as committed: the next owner would read those records again. */
  @Test
  void aFailedCommitIsHandedOutAgain() {
    receive(0, 0, 3);
    finish(0, 0, 3);
    java.util.Map<Integer, Long> first = tracker.commitPositions();
    assertThat(first).containsEntry(0, 3L);
    assertThat(tracker.commitPositions()).isEmpty();

    tracker.commitFailed(first);

    assertThat(tracker.commitPositions()).containsEntry(0, 3L);
    tracker.commitFailed(java.util.Map.of(0, 2L)); // an older position failing later changes nothing
    assertThat(tracker.commitPositions()).isEmpty();
  }

  @Test
  void aFailedCommitIsCommittedOnRevoke() {
    receive(1, 0, 2);
    finish(1, 0, 2);
    tracker.commitFailed(tracker.commitPositions());

    assertThat(tracker.release(1)).isEqualTo(2L);
  }
}
