package dev.palisade.model.crd;

import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/**
 * spec of an {@link AccessRequest}: the edge asked for and why. The ends are workloads
 * ({@code NS/KIND/NAME}) or pods ({@code NS/POD}, which the controller resolves to their workload).
 * The CRD refuses what is malformed; the controller also checks what the schema cannot (that the
 * ends exist) and says so in the status (phase Invalid).
 */
public class AccessRequestSpec {
  /** NS/NAME or NS/KIND/NAME: a DNS label, then one or two names. */
  static final String END = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?/([A-Za-z]+/)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?$";

  @Required
  @Pattern(END)
  @Size(max = 330)
  public String source;

  @Required
  @Pattern(END)
  @Size(max = 330)
  public String destination;

  // 1..65535 is checked by the controller (status Invalid): the generator writes bounds as
  // 65535.0, which kubectl kustomize and the lab's renderer read differently
  @Required
  public Integer port;

  @Required
  @Pattern("^(TCP|UDP|SCTP)$")
  public String protocol;

  /** Why the edge is needed; shown to the reviewer. */
  @Required
  @Size(min = 1, max = 1000)
  public String reason;
}
