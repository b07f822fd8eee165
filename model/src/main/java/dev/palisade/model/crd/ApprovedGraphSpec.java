package dev.palisade.model.crd;

import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import java.util.List;

/**
 * spec of an {@link ApprovedGraph}: approved (and rejected) edges between workloads, and between a
 * workload and the world beyond the cluster edge. The shapes are declared in the CRD so that the
 * API server refuses a typo (a workload without its kind, port 0, an octet of 300) instead of
 * storing an edge that silently approves nothing. What a pattern cannot say (at least one end is a
 * workload, a CIDR has no host bits, a name label is at most 63 characters) the readers check:
 * the controller's index and {@code palisade ci}'s baseline reader.
 */
public class ApprovedGraphSpec {
  /** NS/KIND/NAME, as the flow graph names a workload vertex. */
  public static final String WORKLOAD = "^[a-z0-9]([-a-z0-9.]*[a-z0-9])?/[A-Za-z]+/[a-z0-9]([-a-z0-9.]*[a-z0-9])?$";

  private static final String OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
  private static final String LABEL = "[a-z0-9_]([-a-z0-9_]*[a-z0-9_])?";

  /**
   * An edge's end as the flow graph names its vertex: a workload NS/KIND/NAME, {@code world},
   * {@code dns:NAME} or {@code dns:*.SUFFIX}, an IPv4 address or CIDR ({@code 203.0.113.0/24}).
   * Written for both Java's and the API server's (RE2) regular expressions: no look-arounds.
   */
  public static final String END = "^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/[A-Za-z]+/[a-z0-9]([-a-z0-9.]*[a-z0-9])?"
      + "|world"
      + "|dns:(\\*\\.)?" + LABEL + "(\\." + LABEL + ")+"
      + "|" + OCTET + "(\\." + OCTET + "){3}(/([0-9]|[12][0-9]|3[0-2]))?)$";

  @Required
  public List<Edge> edges;

  /**
   * Edges the team decided never to allow: the controller keeps them rejected, and
   * {@code palisade ci} fails a change that makes one (forbidden) instead of proposing it.
   */
  public List<Edge> rejected;

  /**
   * One approved edge: from a client to a server's port, at least one of them a workload. The
   * other may be outside: {@code dns:NAME} or {@code dns:*.SUFFIX} as a destination (egress to
   * what the name resolves to), {@code world} or a CIDR either way (ingress through a NodePort or
   * LoadBalancer, or egress to addresses no name covers).
   */
  public static class Edge {
    @Required
    @Pattern(END)
    public String from;

    @Required
    @Pattern(END)
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
