package io.kieworker.store;

/**
 * Why one step of a copy failed. {@code transientFailure}: worth retrying while the wait allows
 * (a store or network outage, a 5xx); otherwise retrying cannot help (a refused URL, an image too
 * large, a bucket that does not exist). Messages never hold credentials or signed URLs.
 */
public final class StoreFailure extends RuntimeException {
  /** The result URL is not fetched: not https, not an allowed host, or a private address. */
  public static final String FETCH_REFUSED = "STORE_FETCH_REFUSED";
  /** Downloading the image failed (HTTP status, connection, timeout). */
  public static final String FETCH_FAILED = "STORE_FETCH_FAILED";
  /** The image is larger than WORKER_RESULT_FETCH_MAX_BYTES. */
  public static final String TOO_LARGE = "STORE_TOO_LARGE";
  /** The store refused the object (access denied, no such bucket, ...). */
  public static final String REJECTED = "STORE_REJECTED";
  /** The store could not be reached or kept failing until WORKER_RESULT_STORE_MAX_WAIT. */
  public static final String UNAVAILABLE = "STORE_UNAVAILABLE";

  private final String code;
  private final boolean transientFailure;

  public StoreFailure(String code, String message, boolean transientFailure) {
    super(message, null, false, false);
    this.code = code;
    this.transientFailure = transientFailure;
  }

  public String code() {
    return code;
  }

  public boolean isTransient() {
    return transientFailure;
  }
}
