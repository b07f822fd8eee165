package dev.palisade.dataplane.agent;

import dev.palisade.dataplane.agent.ObjectProblems.Problem;
import dev.palisade.dataplane.dns.NameGrants;
import dev.palisade.dataplane.render.Ipv6;
import dev.palisade.model.IdentityPolicy;
import dev.palisade.model.Mode;
import dev.palisade.model.crd.SegmentationMode;
import dev.palisade.model.workload.ModeResolver;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * This node's own pods as {@link NodeRulesCalculator} reads them on every sync (address ->
 * identity, the mode of pods no valid AllowList covers, the IPv6 addresses to close), kept while
 * what they are read from is the same objects: the local pods' entries (a changed pod is a new
 * entry), the AllowLists' policies map (the same map while the same AllowList objects), the
 * SegmentationModes, namespaces and default mode, and the set of namespaces NetworkPolicy
 * polices. At 10k pods a sync is caused by one pod, mostly not a local one, and reading every
 * local pod's mode again was a fixed part of each sync. A reading is a pure function of those
 * inputs, made whole when any of them differs, so a sync that threw leaves nothing stale here.
 * Not thread-safe: the agent's sync thread owns it.
 */
final class LocalPods {
  /**
   * @param local IPv4 -> identity of the local pods the rules name
   * @param modes every local pod -> its mode ({@link #modeOf})
   * @param closedV6 local IPv6 addresses closed whatever the groups say
   * @param v6ByV4 a local pod's IPv4 address -> its IPv6 ones
   * @param problems the pods that could not be read
   * @param nameGrants the approved DNS names per local pod
   */
  record Reading(Map<String, Long> local, Map<String, Mode> modes, Set<String> closedV6,
      Map<String, List<String>> v6ByV4, List<Problem> problems, NameGrants nameGrants) {}

  private List<SegmentationMode> modesRead;
  private List<Namespace> namespacesRead;
  private Mode defaultRead;
  private boolean annotationsHonoured;
  private ModeResolver resolver;
  private List<Problem> resolverProblems = List.of();

  private final List<PodAddresses.Entry> entriesRead = new ArrayList<>();
  private Map<Long, IdentityPolicy> policiesRead;
  private ModeResolver resolverRead;
  private Set<String> policedRead;
  private Reading reading;
  private long readings;

  /**
   * The mode resolver of the SegmentationModes and namespace annotations, the same object (and
   * its problems added again) while they and the default are the same objects.
   */
  ModeResolver modes(List<SegmentationMode> modes, List<Namespace> namespaces, Mode clusterDefault,
      boolean workloadAnnotationsHonoured, List<Problem> problems) {
    if (resolver == null || clusterDefault != defaultRead || workloadAnnotationsHonoured != annotationsHonoured
        || !dev.palisade.dataplane.netpol.PodViews.sameInstances(modes, modesRead)
        || !dev.palisade.dataplane.netpol.PodViews.sameInstances(namespaces, namespacesRead)) {
      // the namespace's palisade.dev/mode annotation counts too (root owners' are the controller's)
      Map<String, String> namespaceModes = new HashMap<>();
      for (Namespace n : namespaces) {
        String a = ModeResolver.annotationOf(n);
        if (a != null) {
          namespaceModes.put(n.getMetadata().getName(), a);
        }
      }
      // each problem is told of its object (uid, generation): edited or made again, it is told again
      Map<String, HasMetadata> byWhere = new HashMap<>();
      modes.forEach(m -> byWhere.put(Problem.where("SegmentationMode", m.getMetadata().getNamespace(),
          m.getMetadata().getName()), m));
      namespaces.forEach(n -> byWhere.put(Problem.where("Namespace", null, n.getMetadata().getName()), n));
      List<Problem> mine = new ArrayList<>();
      resolver = new ModeResolver(modes, namespaceModes, Map.of(), clusterDefault,
          p -> mine.add(new Problem(p.kind(), p.namespace(), p.name(), p.message())
              .on(byWhere.get(Problem.where(p.kind(), p.namespace(), p.name())))));
      resolverProblems = List.copyOf(mine);
      modesRead = new ArrayList<>(modes);
      namespacesRead = new ArrayList<>(namespaces);
      defaultRead = clusterDefault;
      annotationsHonoured = workloadAnnotationsHonoured; // a new resolver: read() reads the local pods again
    }
    problems.addAll(resolverProblems);
    return resolver;
  }

  /**
   * The local pods read: the last reading while {@code entries} are the same objects in the same
   * order, {@code policies} and {@code modes} the same objects and {@code policed} equal; else
   * read again. Its problems are added to {@code problems} either way.
   */
  Reading read(Collection<PodAddresses.Entry> entries, Map<Long, IdentityPolicy> policies, ModeResolver modes,
      Set<String> policed, List<Problem> problems) {
    if (reading == null || policies != policiesRead || modes != resolverRead || !policed.equals(policedRead)
        || !sameEntries(entries)) {
      reading = null; // not trusted until made whole again
      Reading r = readWhole(entries, policies, modes, annotationsHonoured, policed);
      entriesRead.clear();
      entriesRead.addAll(entries);
      policiesRead = policies;
      resolverRead = modes;
      policedRead = Set.copyOf(policed);
      reading = r;
      readings++;
    }
    problems.addAll(reading.problems());
    return reading;
  }

  /** How many times the local pods were read whole (for tests). */
  long readings() {
    return readings;
  }

  private boolean sameEntries(Collection<PodAddresses.Entry> entries) {
    if (entries.size() != entriesRead.size()) {
      return false;
    }
    int i = 0;
    for (PodAddresses.Entry e : entries) {
      if (e != entriesRead.get(i++)) {
        return false;
      }
    }
    return true;
  }

  /**
   * A local pod's mode: from the SegmentationModes, namespace annotations and default the agent
   * sees ({@code modes}), never from whether an AllowList exists. A list's mode (the controller's
   * resolution when it wrote it) can only make the pod stricter: a list left stale by a relaxation
   * holds the stricter mode until the controller rewrites it, and a list edited to {@code learn}
   * opens nothing. The exception is a workload annotation the agent cannot see (root owners are not
   * in its informers): where the controller honours them and no setting of the workload's own
   * decides, the list's mode stands, as the annotation says. Pure.
   */
  static Mode modeOf(dev.palisade.model.WorkloadRef workload, IdentityPolicy list, ModeResolver modes,
      boolean workloadAnnotationsHonoured) {
    Mode resolved = modes.modeOf(workload);
    if (list == null) {
      return resolved;
    }
    if (workloadAnnotationsHonoured && !modes.hasOwnSetting(workload)) {
      return list.mode();
    }
    return list.mode().compareTo(resolved) > 0 ? list.mode() : resolved;
  }

  private static Reading readWhole(Collection<PodAddresses.Entry> entries, Map<Long, IdentityPolicy> policies,
      ModeResolver modes, boolean workloadAnnotationsHonoured, Set<String> policed) {
    List<Problem> problems = new ArrayList<>();
    Map<String, Long> local = new HashMap<>();
    Set<String> closedV6 = new HashSet<>();
    Map<String, List<String>> v6ByV4 = new HashMap<>();
    Map<String, Mode> localMode = new HashMap<>();
    // in key order (a stable answer)
    for (PodAddresses.Entry e : entries) {
      if (e.ip == null) {
        continue;
      }
      try {
        PodFacts.Facts f = e.facts;
        IdentityPolicy policy = policies.get(e.id);
        Mode mode = modeOf(f.workload(), policy, modes, workloadAnnotationsHonoured);
        String ip = e.ip;
        boolean restricted = mode != Mode.LEARN || policed.contains(e.pod.getMetadata().getNamespace());
        for (String extra : f.podIps) {
          String v6 = extra.equals(ip) || !Ipv6.isV6(extra) ? null : podV6(extra, e, problems);
          if (v6 != null && !Ipv6.isV6(ip)) {
            v6ByV4.computeIfAbsent(ip, k -> new ArrayList<>()).add(v6);
          }
          if (v6 != null && restricted) {
            closedV6.add(v6);
          }
        }
        if (Ipv6.isV6(ip)) {
          // an IPv6-only pod: the IPv4 rules cannot name it; if restricted it is closed on IPv6
          String v6 = podV6(ip, e, problems);
          if (v6 != null && restricted) {
            closedV6.add(v6);
          }
          continue;
        }
        if (e.claim == null) {
          continue; // a malformed address: the pod is named among the problems
        }
        // Two local pods claiming one address (a deletion seen late, an address reused): the
        // stricter mode holds it until one claim is gone
        Mode held = localMode.get(ip);
        if (held == null || mode.compareTo(held) > 0) {
          localMode.put(ip, mode);
          local.put(ip, e.id);
        }
      } catch (RuntimeException ex) {
        problems.add(NodeRulesCalculator.problem("Pod", e.pod, ex));
      }
    }
    Map<String, List<String>> v6 = new HashMap<>();
    v6ByV4.forEach((k, v) -> v6.put(k, List.copyOf(v)));
    Map<String, Long> localCopy = Map.copyOf(local);
    return new Reading(localCopy, Map.copyOf(localMode), Set.copyOf(closedV6), Map.copyOf(v6), List.copyOf(problems),
        NameGrants.of(localCopy, policies));
  }

  /**
   * The pod's IPv6 address in canonical text, or null after naming the pod in {@code problems}: an
   * address no packet can carry is left out of the rules (one such pod must not fail the sync of
   * every other, as the kernel set would refuse it), while the pod's IPv4 rules stand.
   */
  private static String podV6(String address, PodAddresses.Entry e, List<Problem> problems) {
    try {
      return Ipv6.podAddress(address);
    } catch (IllegalArgumentException ex) {
      problems.add(NodeRulesCalculator.problem("Pod", e.pod, "status.podIPs: " + ex.getMessage()));
      return null;
    }
  }

  /** "ns/name: what" (or "name: what") as the mode resolver writes its problems. */
  static Problem fromLine(String kind, String line) {
    int colon = line.indexOf(": ");
    String where = colon < 0 ? "?" : line.substring(0, colon);
    String what = colon < 0 ? line : line.substring(colon + 2);
    int slash = where.indexOf('/');
    return slash < 0 ? new Problem(kind, null, where, what)
        : new Problem(kind, where.substring(0, slash), where.substring(slash + 1), what);
  }
}
