package io.kieworker.request;

/** Why a record was not accepted: not a JSON object at all, or an object that breaks the contract. */
public enum RejectReason {
  UNPARSEABLE,
  INVALID
}
