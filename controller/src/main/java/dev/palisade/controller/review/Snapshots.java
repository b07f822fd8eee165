package dev.palisade.controller.review;

import dev.palisade.model.crd.GraphSnapshot;
import dev.palisade.model.crd.GraphSnapshotSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Named, kept copies of the graph's edges ({@link GraphSnapshot} objects), the "since" side of
 * "what changed since". Names are Kubernetes object names chosen by the reviewer. Event thread only.
 */
public final class Snapshots {
  private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  private final KubernetesClient client;
  private final Map<String, GraphSnapshotSpec> byName = new LinkedHashMap<>();

  public Snapshots(KubernetesClient client) {
    this.client = client;
  }

  public Snapshots restore() {
    client.resources(GraphSnapshot.class).list().getItems().stream()
        .filter(s -> s.getSpec() != null)
        .sorted(java.util.Comparator.comparing((GraphSnapshot s) -> String.valueOf(s.getSpec().taken)))
        .forEach(s -> byName.put(s.getMetadata().getName(), s.getSpec()));
    return this;
  }

  /** Refuses a bad or taken name with the reason, so nothing kept is overwritten. */
  public static void checkName(String name, Map<String, ?> existing) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("snapshot name '" + name + "' must be lower-case letters, digits and '-', "
          + "1 to 63 characters, starting and ending with a letter or digit");
    }
    if (existing.containsKey(name)) {
      throw new IllegalArgumentException("snapshot '" + name + "' exists already; snapshots are kept, pick a new name");
    }
  }

  public GraphSnapshotSpec take(String name, String who, List<GraphSnapshotSpec.Edge> edges) {
    checkName(name, byName);
    GraphSnapshotSpec spec = new GraphSnapshotSpec();
    spec.taken = Instant.now().toString();
    spec.takenBy = who;
    spec.edges = new ArrayList<>(edges);
    GraphSnapshot cr = new GraphSnapshot();
    cr.setMetadata(new ObjectMetaBuilder().withName(name).build());
    cr.setSpec(spec);
    client.resources(GraphSnapshot.class).resource(cr).create();
    byName.put(name, spec);
    return spec;
  }

  public Optional<GraphSnapshotSpec> get(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  /** Names and times, oldest first. */
  public Map<String, GraphSnapshotSpec> all() {
    return java.util.Collections.unmodifiableMap(byName);
  }

  /** What the list of snapshots shows of one: a value, so the list's JSON is written off the loop. */
  public record Listed(String name, String taken, String takenBy, int edges) {}

  /** Every snapshot as listed, oldest first: a copy, a few values per snapshot, never its edges. */
  public List<Listed> listed() {
    List<Listed> out = new ArrayList<>(byName.size());
    byName.forEach((name, s) -> out.add(new Listed(name, s.taken, s.takenBy, s.edges == null ? 0 : s.edges.size())));
    return out;
  }
}
