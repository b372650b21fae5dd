package io.kieworker.config;

/** The four topics of design.md §2. */
public record TopicsConfig(String requests, String results, String dlq, String ledger) {}
