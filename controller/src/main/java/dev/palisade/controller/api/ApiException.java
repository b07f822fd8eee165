package dev.palisade.controller.api;

import tools.jackson.databind.node.ObjectNode;

/**
 * A request the API refuses: the status code and a message naming what is wrong, and optionally
 * more fields for the error body (what the caller needs to act, e.g. the change to commit in git).
 */
public final class ApiException extends RuntimeException {
  private final int status;
  private final transient ObjectNode details;

  public ApiException(int status, String message) {
    this(status, message, null);
  }

  /** @param details fields added beside {@code error} in the body (null for none) */
  public ApiException(int status, String message, ObjectNode details) {
    super(message);
    this.status = status;
    this.details = details;
  }

  public int status() {
    return status;
  }

  /** The extra fields of the error body, or null. */
  public ObjectNode details() {
    return details;
  }

  public static ApiException badRequest(String message) {
    return new ApiException(400, message);
  }

  public static ApiException notFound(String message) {
    return new ApiException(404, message);
  }
}
