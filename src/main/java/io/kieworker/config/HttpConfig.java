package io.kieworker.config;

/** The callback route, {@code /health/*} and {@code /metrics}. */
public record HttpConfig(String host, int port) {}
