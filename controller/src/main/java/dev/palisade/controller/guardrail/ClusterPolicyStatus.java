package dev.palisade.controller.guardrail;

import dev.palisade.model.cnp.ClusterNetworkPolicy;
import dev.palisade.model.cnp.ClusterNetworkPolicyReader;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Pure: the status condition Palisade owes a cluster policy, and the object with it set. A policy
 * that cannot be enforced (a bad CIDR, a peer kind Palisade does not implement) is skipped whole
 * by every agent; its owner learns that here ({@code kubectl get cnp NAME -o yaml}) as well as
 * from the agents' Warning Events. Conditions of other implementations on the same object are
 * kept: the type is Palisade's own.
 */
public final class ClusterPolicyStatus {
  private ClusterPolicyStatus() {}

  /** Palisade's condition type on upstream's objects (domain-prefixed: other implementations write theirs). */
  public static final String TYPE = "palisade.dev/Enforced";

  /** The condition's status, reason and message for this object as it is now. */
  public record Condition(String status, String reason, String message) {}

  public static Condition of(GenericKubernetesResource o) {
    try {
      ClusterNetworkPolicy p = ClusterNetworkPolicyReader.read(o);
      return new Condition("True", "Enforced", "enforced by Palisade's agents in the " + p.tier().name().charAt(0)
          + p.tier().name().substring(1).toLowerCase(java.util.Locale.ROOT) + " tier: " + p.ingress().size()
          + " ingress and " + p.egress().size() + " egress rule(s)");
    } catch (RuntimeException e) {
      return new Condition("False", "NotEnforceable", "skipped whole by Palisade's agents (never half-applied): "
          + (e.getMessage() == null ? e.toString() : e.getMessage()));
    }
  }

  /**
   * The object with Palisade's condition set to {@code c}, or null when it already says so for
   * this generation (nothing to write).
   */
  @SuppressWarnings("unchecked")
  public static GenericKubernetesResource withCondition(GenericKubernetesResource o, Condition c, Instant now) {
    Long generation = o.getMetadata() == null ? null : o.getMetadata().getGeneration();
    Object status = o.getAdditionalProperties().get("status");
    Map<String, Object> statusMap = status instanceof Map<?, ?> m ? new LinkedHashMap<>((Map<String, Object>) m)
        : new LinkedHashMap<>();
    List<Object> conditions = statusMap.get("conditions") instanceof List<?> l ? new ArrayList<>(l) : new ArrayList<>();
    for (Object existing : conditions) {
      if (existing instanceof Map<?, ?> e && TYPE.equals(e.get("type")) && c.status().equals(e.get("status"))
          && c.reason().equals(e.get("reason")) && c.message().equals(e.get("message"))
          && Objects.equals(asLong(e.get("observedGeneration")), generation)) {
        return null;
      }
    }
    conditions.removeIf(e -> e instanceof Map<?, ?> m && TYPE.equals(m.get("type")));
    Map<String, Object> mine = new LinkedHashMap<>();
    mine.put("type", TYPE);
    mine.put("status", c.status());
    mine.put("reason", c.reason());
    mine.put("message", c.message());
    mine.put("lastTransitionTime", now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
    if (generation != null) {
      mine.put("observedGeneration", generation);
    }
    conditions.add(mine);
    statusMap.put("conditions", conditions);
    GenericKubernetesResource copy = new GenericKubernetesResource();
    copy.setApiVersion(o.getApiVersion());
    copy.setKind(o.getKind());
    copy.setMetadata(o.getMetadata());
    copy.setAdditionalProperties(new LinkedHashMap<>(o.getAdditionalProperties()));
    copy.getAdditionalProperties().put("status", statusMap);
    return copy;
  }

  private static Long asLong(Object o) {
    return o instanceof Number n ? n.longValue() : null;
  }
}
