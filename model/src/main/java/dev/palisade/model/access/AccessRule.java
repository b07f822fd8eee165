package dev.palisade.model.access;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * One RBAC rule of a component's {@link KubeAccess}: verbs on resources of one API group, with the
 * reason the code needs them. The generator writes the reason above the rule in the manifest, so
 * whoever reads the ClusterRole sees why each grant is there.
 *
 * @param apiGroup "" for the core group
 * @param resources plural names, a subresource as {@code allowlists/status}
 */
public record AccessRule(String apiGroup, List<String> resources, List<String> verbs, String why) {
  /** The verbs RBAC knows for resource requests. */
  public static final Set<String> VERBS = Set.of("get", "list", "watch", "create", "update", "patch", "delete",
      "deletecollection");
  /** What informers need (list, watch) and a single read (get). */
  public static final List<String> READ = List.of("get", "list", "watch");

  public AccessRule {
    resources = List.copyOf(resources);
    verbs = List.copyOf(verbs);
    if (resources.isEmpty() || verbs.isEmpty()) {
      throw new IllegalArgumentException("a rule needs resources and verbs, not " + resources + " " + verbs);
    }
    for (String v : verbs) {
      if (!VERBS.contains(v)) {
        throw new IllegalArgumentException("verb '" + v + "' of rule " + apiGroup + " " + resources + " is none of "
            + VERBS);
      }
    }
    for (String r : resources) {
      if (r.equals("*") || !r.equals(r.toLowerCase(java.util.Locale.ROOT))) {
        throw new IllegalArgumentException("resource '" + r + "' must be a lower-case plural name, no wildcard");
      }
    }
    if (why == null || why.isBlank()) {
      throw new IllegalArgumentException("rule " + apiGroup + " " + resources + " needs a reason");
    }
  }

  /** verbs on the resources of one group. */
  public static AccessRule of(String apiGroup, List<String> resources, List<String> verbs, String why) {
    return new AccessRule(apiGroup, resources, verbs, why);
  }

  /**
   * get, list and watch on the given kinds, which must share an API group; the names come from
   * the Java types, so the rule names exactly what the informers of those types ask for.
   */
  @SafeVarargs
  public static AccessRule reads(String why, Class<? extends HasMetadata>... kinds) {
    String group = groupOf(kinds[0]);
    for (Class<? extends HasMetadata> k : kinds) {
      if (!groupOf(k).equals(group)) {
        throw new IllegalArgumentException(k.getSimpleName() + " is in group '" + groupOf(k) + "', not '" + group
            + "': one rule per API group");
      }
    }
    return new AccessRule(group, Arrays.stream(kinds).map(AccessRule::resourceOf).toList(), READ, why);
  }

  /** The API group of a kind, "" for the core group. */
  public static String groupOf(Class<? extends HasMetadata> kind) {
    String g = HasMetadata.getGroup(kind);
    return g == null ? "" : g;
  }

  /** The plural resource name of a kind: {@code Pod} -> {@code pods}. */
  public static String resourceOf(Class<? extends HasMetadata> kind) {
    return HasMetadata.getPlural(kind);
  }

  public boolean covers(ApiCall call) {
    String resource = call.subresource() == null ? call.resource() : call.resource() + "/" + call.subresource();
    return apiGroup.equals(call.group()) && resources.contains(resource) && verbs.contains(call.verb());
  }

  /** Only get, list and watch. */
  public boolean readOnly() {
    return READ.containsAll(verbs);
  }
}
