package io.kieworker.config;

/** The four topics of design.md §2, and the internal demand topic the group shares the create limit on. */
public record TopicsConfig(String requests, String results, String dlq, String ledger, String demand) {
  public static final String DEFAULT_DEMAND = "kie.worker.demand";

  /** With the default demand topic. */
  public TopicsConfig(String requests, String results, String dlq, String ledger) {
    this(requests, results, dlq, ledger, DEFAULT_DEMAND);
  }
}
