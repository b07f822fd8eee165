package dev.palisade.model.crd;

import java.util.List;

/** spec of a {@link GraphSnapshot}. */
public class GraphSnapshotSpec {
  /** ISO-8601 instant. */
  public String taken;
  public String takenBy;
  public List<Edge> edges;

  /** One edge as it stood. */
  public static class Edge {
    public String source;
    public String destination;
    public String protocol;
    public int port;
    public String status;
    public long count;
  }
}
