package dev.palisade.controller.api;

import java.util.Set;

/**
 * How many body bytes each route reads, known from the request line: agents' reports and review
 * decisions may be large (10,000 flow records, 10,000 edges), everything else is a small object.
 * A declared length above it is refused 413 before the body is read. Pure.
 */
final class BodyLimits {
  /** Room for a mode, a snapshot name, a request: far more than any of them needs. */
  static final int SMALL = 64 * 1024;
  private static final Set<String> LARGE = Set.of("/v1/flows", "/v1/drops", "/v1/review");

  private BodyLimits() {}

  static int of(String method, String path, int max) {
    if (method.equals("GET") || method.equals("HEAD")) {
      return Math.min(max, 4096);
    }
    return LARGE.contains(path) ? max : Math.min(max, SMALL);
  }
}
