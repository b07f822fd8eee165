package dev.palisade.controller.publish;

import dev.palisade.controller.compile.AllowListCompiler;
import dev.palisade.controller.graph.FlowEdge.EdgeKey;
import dev.palisade.controller.graph.FlowGraph.EdgeView;
import dev.palisade.model.IdentityPolicy;
import dev.palisade.model.Mode;
import dev.palisade.model.WorkloadRef;
import dev.palisade.model.crd.AllowList;
import dev.palisade.model.crd.AllowListCodec;
import dev.palisade.model.crd.AllowListSpec;
import dev.palisade.model.crd.CrdNames;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * Identities whose inputs changed -> their AllowLists compiled again -> those whose rules differ
 * from what is published written under one new revision (agents report which revision they
 * enforce). What is wanted is remembered before the write: a failed write is retried by the
 * {@link ObjectReconciler} until it lands. Called on the controller's loop thread.
 */
public final class AllowListPublisher {
  private static final Logger LOG = LoggerFactory.getLogger(AllowListPublisher.class);
  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** What compiling reads from the controller's state (loop thread). */
  public interface Sources {
    Optional<Long> identityOf(String vertex);

    String vertexOf(long identity);

    Optional<WorkloadRef> workload(long identity);

    Mode modeOf(long identity);

    /** The edges touching these vertices with the status in force (reviewer's, under git's, under guardrails'). */
    Collection<EdgeView> edgesInForce(Set<String> vertices);
  }

  private final Sources sources;
  private final ObjectReconciler<AllowList> writer;
  private final LongConsumer timing;
  private final Map<Long, AllowListSpec> published = new HashMap<>();
  private long revision;

  /** @param timing told the nanoseconds each publish took */
  public AllowListPublisher(Sources sources, ObjectReconciler<AllowList> writer, LongConsumer timing) {
    this.sources = sources;
    this.writer = writer;
    this.timing = timing;
  }

  /** An AllowList the previous run published (at start): its revision and rules count as published. */
  public void restored(AllowListSpec spec) {
    revision = Math.max(revision, spec.revision);
    published.put(spec.identity, spec);
  }

  /** The revision of the newest published allow-lists. */
  public long revision() {
    return revision;
  }

  /** Recompiles and publishes the allow-lists of both ends of these edges (the workloads among them). */
  public void publishEnds(Collection<EdgeKey> edges) {
    Set<Long> touched = new HashSet<>();
    for (EdgeKey k : edges) {
      sources.identityOf(k.source()).ifPresent(touched::add);
      sources.identityOf(k.destination()).ifPresent(touched::add);
    }
    publish(touched);
  }

  /** Recompiles the given identities and writes the AllowLists that changed, under a new revision. */
  public void publish(Set<Long> identities) {
    long started = System.nanoTime();
    AllowListCompiler compiler = new AllowListCompiler(sources::identityOf, sources::modeOf);
    Set<String> vertices = new HashSet<>();
    identities.forEach(id -> vertices.add(sources.vertexOf(id)));
    Map<Long, IdentityPolicy> policies = compiler.compile(sources.edgesInForce(vertices), identities);
    List<Map.Entry<Long, IdentityPolicy>> changed = new ArrayList<>();
    for (var e : policies.entrySet()) {
      AllowListSpec old = published.get(e.getKey());
      if (old == null || !sameRules(old, AllowListCodec.toSpec(e.getValue(), 0))) {
        changed.add(e);
      }
    }
    if (changed.isEmpty()) {
      return;
    }
    revision++;
    List<AllowList> lists = new ArrayList<>(changed.size());
    for (var e : changed) {
      WorkloadRef w = sources.workload(e.getKey()).orElseThrow();
      AllowListSpec spec = AllowListCodec.toSpec(e.getValue(), revision);
      spec.revisionSize = changed.size();
      AllowList al = new AllowList();
      al.setMetadata(new ObjectMetaBuilder().withNamespace(w.namespace()).withName(CrdNames.objectName(w)).build());
      al.setSpec(spec);
      published.put(e.getKey(), spec); // wanted from now on, even if the write fails and is retried
      lists.add(al);
    }
    int written = writer.putAll(lists);
    timing.accept(System.nanoTime() - started);
    LOG.info("revision {}: {} of {} allow-list(s) written{}", revision, written, changed.size(),
        written < changed.size() ? ", the rest retried" : "");
  }

  private static boolean sameRules(AllowListSpec a, AllowListSpec b) {
    return JSON.valueToTree(withoutRevision(a)).equals(JSON.valueToTree(withoutRevision(b)));
  }

  private static AllowListSpec withoutRevision(AllowListSpec s) {
    AllowListSpec c = new AllowListSpec();
    c.identity = s.identity;
    c.mode = s.mode;
    c.ingress = s.ingress;
    c.egress = s.egress;
    return c;
  }
}
