package dev.palisade.controller.events;

import dev.palisade.controller.events.EventCorrelator.Key;
import dev.palisade.model.DropEvent;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Drops and would-drops -> one {@code wgpolicyk8s.io/v1alpha2} PolicyReport per namespace, named
 * {@value #NAME}, so Policy Reporter (its UI, its alerts) and {@code kubectl get polr} show what
 * Palisade blocked. A drop is seen as {@link DropEvents} sees it ({@link DropEvents#keys}): one
 * result per workload end, in that workload's namespace, with a peer in another namespace shown as
 * {@code other-ns/*}; so a namespace's report says nothing about another namespace's workloads,
 * exactly as its Events do. A namespace keeps its {@value #MAX_RESULTS} most recently seen results
 * (memory and object size stay bounded whatever the traffic); the summary is counted from the
 * results written.
 *
 * <p>Pure bookkeeping: time is passed in; not thread-safe (its writer serializes calls).
 */
public final class PolicyReports {
  public static final String API_VERSION = "wgpolicyk8s.io/v1alpha2";
  public static final String KIND = "PolicyReport";
  public static final String PLURAL = "policyreports";
  /** The one report Palisade writes in each namespace. */
  public static final String NAME = "palisade";
  public static final String SOURCE = "palisade";
  /** The policy a drop by the allow-list (not approved, rejected) is reported under. */
  public static final String ALLOWLIST_POLICY = "palisade-allowlist";
  /** The policy a drop by a NetworkPolicy is reported under (which ones is read only for its Event). */
  public static final String NETWORK_POLICY = "networkpolicy";
  public static final int MAX_RESULTS = 200;

  private static final class Aggregate {
    long count;
    long first;
    long last;
  }

  private final int maxResults;
  /** namespace -> its results, least recently seen first. */
  private final Map<String, LinkedHashMap<Key, Aggregate>> byNamespace = new HashMap<>();

  public PolicyReports() {
    this(MAX_RESULTS);
  }

  PolicyReports(int maxResults) {
    if (maxResults < 1) {
      throw new IllegalArgumentException("maxResults must be positive: " + maxResults);
    }
    this.maxResults = maxResults;
  }

  /**
   * One drop between vertices {@code src} and {@code dst} seen at {@code nowMillis}; returns the
   * namespaces whose report changed (none for ends that are not workloads: world, host).
   */
  public Set<String> observe(DropEvent d, String src, String dst, boolean rejected, long nowMillis) {
    Set<String> changed = new LinkedHashSet<>();
    for (Key k : DropEvents.keys(d, src, dst, rejected)) {
      LinkedHashMap<Key, Aggregate> results = byNamespace.computeIfAbsent(k.namespace(),
          n -> new LinkedHashMap<>(16, 0.75f, true));
      Aggregate a = results.computeIfAbsent(k, x -> new Aggregate());
      if (a.count == 0) {
        a.first = nowMillis;
      }
      a.count++;
      a.last = Math.max(a.last, nowMillis);
      while (results.size() > maxResults) {
        results.remove(results.keySet().iterator().next()); // least recently seen
      }
      changed.add(k.namespace());
    }
    return changed;
  }

  /** The report of {@code namespace} as it is now: no results when nothing was dropped there. */
  public GenericKubernetesResource report(String namespace) {
    List<Map<String, Object>> results = new ArrayList<>();
    Map<String, Integer> summary = new LinkedHashMap<>();
    for (String r : List.of("pass", "fail", "warn", "error", "skip")) {
      summary.put(r, 0);
    }
    byNamespace.getOrDefault(namespace, new LinkedHashMap<>()).entrySet().stream()
        .sorted(Comparator.comparing((Map.Entry<Key, Aggregate> e) -> e.getKey().edge())
            .thenComparing(e -> e.getKey().involved()).thenComparing(e -> e.getKey().toString()))
        .forEach(e -> {
          Map<String, Object> r = result(e.getKey(), e.getValue());
          summary.merge((String) r.get("result"), 1, Integer::sum);
          results.add(r);
        });
    GenericKubernetesResource report = new GenericKubernetesResource();
    report.setApiVersion(API_VERSION);
    report.setKind(KIND);
    report.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(NAME)
        .addToLabels("app.kubernetes.io/managed-by", "palisade").build());
    report.setAdditionalProperty("summary", summary);
    report.setAdditionalProperty("results", results);
    return report;
  }

  /** Results kept for {@code namespace}. */
  public int size(String namespace) {
    return byNamespace.getOrDefault(namespace, new LinkedHashMap<>()).size();
  }

  /** One PolicyReportResult: the edge as the namespace may see it, on the workload of this end. */
  static Map<String, Object> result(Key k, Aggregate a) {
    boolean drop = k.reason().equals(DropEvents.DROPPED);
    boolean both = !k.edge().contains("*");
    String[] w = k.edge().replace(" -> ", " ").split(" ");
    String[] involved = k.involved().split("/");
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("source", SOURCE);
    r.put("policy", k.layer().equals("NetworkPolicy") ? NETWORK_POLICY : ALLOWLIST_POLICY);
    r.put("rule", k.edge());
    r.put("category", "network segmentation");
    r.put("result", drop ? "fail" : "warn");
    r.put("scored", true);
    r.put("timestamp", Map.of("seconds", Math.floorDiv(a.last, 1000L),
        "nanos", (int) Math.floorMod(a.last, 1000L) * 1_000_000));
    r.put("message", DropEvents.message(k, List.of()));
    r.put("resources", List.of(Map.of("apiVersion", KubeEventSink.apiVersionOf(involved[1]), "kind", involved[1],
        "namespace", involved[0], "name", involved[2])));
    Map<String, String> p = new TreeMap<>();
    p.put("count", Long.toString(a.count));
    p.put("firstSeen", Instant.ofEpochMilli(a.first).toString());
    p.put("lastSeen", Instant.ofEpochMilli(a.last).toString());
    p.put("mode", k.mode());
    p.put("decidedBy", k.layer());
    p.put("direction", k.direction());
    p.put("request", k.layer().equals("NetworkPolicy") ? "the NetworkPolicy's owners must allow it"
        : both ? DropEvents.request(w[0] + " " + w[1] + " " + w[2]) : "an access request on the review page");
    r.put("properties", p);
    return r;
  }
}
