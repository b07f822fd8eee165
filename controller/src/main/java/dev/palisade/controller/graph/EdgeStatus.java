package dev.palisade.controller.graph;

/** The security team's verdict on a learned edge. */
public enum EdgeStatus {
  LEARNED, APPROVED, REJECTED
}
