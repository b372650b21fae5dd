package io.kieworker.kafka;

import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.UnknownProducerIdException;
import org.apache.kafka.common.errors.UnknownServerException;

/**
 * Tells a send failure that will fail again however often it is retried (record too large, not
 * authorized, invalid topic, and every other non-retriable Kafka error) from a transient one.
 * A refused record is never retried forever: the caller logs it, counts it and ends its request
 * another way. Retried as before: {@link UnknownServerException} (brokers answer it for transient
 * internal failures), the idempotent producer's own state errors (a new send starts a new
 * sequence), and authentication failures (they concern the whole instance, which reports unready).
 */
public final class ProduceRefusal {
  private static final int MAX_CAUSES = 5;

  private ProduceRefusal() {}

  /** The refusing Kafka error in {@code failure}'s cause chain, or null when it may pass on a retry. */
  public static Throwable of(Throwable failure) {
    Throwable e = failure;
    for (int i = 0; e != null && i < MAX_CAUSES; i++, e = e.getCause()) {
      if (e instanceof RetriableException || e instanceof UnknownServerException || producerState(e)) {
        return null;
      }
      if (e instanceof RecordTooLargeException || e instanceof AuthorizationException
          || e instanceof InvalidTopicException || e instanceof SerializationException
          || (e instanceof ApiException && !(e instanceof org.apache.kafka.common.errors.AuthenticationException))) {
        return e;
      }
    }
    return null;
  }

  private static boolean producerState(Throwable e) {
    return e instanceof OutOfOrderSequenceException || e instanceof UnknownProducerIdException
        || e instanceof InvalidProducerEpochException || e instanceof ProducerFencedException;
  }

  public static boolean refused(Throwable failure) {
    return of(failure) != null;
  }

  public static boolean tooLarge(Throwable failure) {
    return of(failure) instanceof RecordTooLargeException;
  }

  /** The tag of {@code kie_worker.produce.refused}: the Kafka error's class name. */
  public static String tag(Throwable failure) {
    Throwable refusal = of(failure);
    return refusal == null ? "none" : refusal.getClass().getSimpleName();
  }
}
