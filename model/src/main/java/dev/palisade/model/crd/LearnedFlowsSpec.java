package dev.palisade.model.crd;

import java.util.List;

/**
 * spec of {@link LearnedFlows}: every edge out of one source workload, with its evidence and
 * review status. The controller's flow graph is rebuilt from these after a restart.
 */
public class LearnedFlowsSpec {
  /** NS/KIND/NAME of the source workload, or an outside vertex ({@code world}, a CIDR) for the edges into one workload. */
  public String source;
  public List<Edge> edges;

  /** One edge: destination, port, protocol, evidence and status (learned, approved, rejected). */
  public static class Edge {
    public String destination;
    public int port;
    public String protocol;
    public String status;
    public long count;
    public long firstSeen;
    public long lastSeen;
    public long violations;
    public List<String> sourcePods;
    public List<String> destinationPods;
    public String classification;
  }
}
