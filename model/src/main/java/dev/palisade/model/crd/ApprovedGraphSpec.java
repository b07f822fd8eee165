package dev.palisade.model.crd;

import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import java.util.List;

/**
 * spec of an {@link ApprovedGraph}: approved (and rejected) edges between workloads. The shapes are declared in
 * the CRD so that the API server refuses a typo (a workload without its kind, port 0) instead of
 * storing an edge that silently approves nothing.
 */
public class ApprovedGraphSpec {
  /** NS/KIND/NAME, as the flow graph names a workload vertex. */
  public static final String WORKLOAD = "^[a-z0-9]([-a-z0-9.]*[a-z0-9])?/[A-Za-z]+/[a-z0-9]([-a-z0-9.]*[a-z0-9])?$";

  @Required
  public List<Edge> edges;

  /**
   * Edges the team decided never to allow: the controller keeps them rejected, and
   * {@code palisade ci} fails a change that makes one (forbidden) instead of proposing it.
   */
  public List<Edge> rejected;

  /** One approved edge: from a client workload to a server workload's port. */
  public static class Edge {
    @Required
    @Pattern(WORKLOAD)
    public String from;

    @Required
    @Pattern(WORKLOAD)
    public String to;

    // 1..65535, checked where the edges are read (palisade ci's baseline reader, the controller's
    // index), not as CRD bounds: fabric8 writes them as 65535.0, which the repo's kustomize renderer
    // keeps as a float where kubectl kustomize writes an integer (DeployManifestsTest compares them).
    @Required
    public Integer port;

    /** TCP (the default when absent, as in Kubernetes), UDP or SCTP. */
    @Pattern("^(TCP|UDP|SCTP)$")
    public String protocol;

    /** Where the edge was first seen; informational only, never part of what is approved. */
    public Provenance provenance;
  }

  /** How an edge came to be proposed: the CI run, the traffic entry or command, the test case. */
  public static class Provenance {
    /** What proposed it, e.g. "palisade ci run". */
    public String source;
    /** The traffic file entry that made the connection first, e.g. "traffic.yaml flows[1]". */
    public String traffic;
    /** The --exec command that made it first. */
    public String command;
    /** The test case running when it was first seen (from the app's JUnit XML). */
    public String test;
  }
}
