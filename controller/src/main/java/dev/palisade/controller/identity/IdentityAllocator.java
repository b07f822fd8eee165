package dev.palisade.controller.identity;

import dev.palisade.model.Identities;
import dev.palisade.model.WorkloadRef;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Stable numeric identities for workloads. Ids already given (restored from the persisted
 * WorkloadIdentity resources at start) are kept; a new workload gets the next free id, never one
 * that was ever used in this run, so a deleted workload's id is not handed to another while
 * agents may still hold it.
 */
public final class IdentityAllocator {
  private final Map<WorkloadRef, Long> ids = new HashMap<>();
  private final Map<Long, WorkloadRef> byId = new HashMap<>();
  /**
   * Each identity's vertex name ({@code NS/KIND/NAME}), made once: flow ingest names two ends per
   * record, and a fresh WorkloadRef.toString each time (a new String to hash and compare char by
   * char in the graph's edge map) was a third of ingest's cost (bench/RESULTS.md, lookup=controller).
   */
  private final Map<Long, String> vertexById = new HashMap<>();
  private final Map<String, Long> idByVertex = new HashMap<>();
  private long next = Identities.FIRST_WORKLOAD;

  /** Re-adopts a persisted id; a conflicting one (same id, other workload) is refused. */
  public synchronized void restore(WorkloadRef workload, long id) {
    if (Identities.isReserved(id)) {
      throw new IllegalArgumentException("identity " + id + " of " + workload + " is in the reserved range");
    }
    WorkloadRef holder = byId.get(id);
    if (holder != null && !holder.equals(workload)) {
      throw new IllegalArgumentException("identity " + id + " is claimed by both " + holder + " and " + workload);
    }
    put(workload, id);
    next = Math.max(next, id + 1);
  }

  /** The workload's id, allocating one if it has none; the boolean says whether it is new. */
  public synchronized Allocation idFor(WorkloadRef workload) {
    Long id = ids.get(workload);
    if (id != null) {
      return new Allocation(id, false);
    }
    long fresh = next++;
    put(workload, fresh);
    return new Allocation(fresh, true);
  }

  private void put(WorkloadRef workload, long id) {
    ids.put(workload, id);
    byId.put(id, workload);
    String vertex = workload.toString();
    vertexById.put(id, vertex);
    idByVertex.put(vertex, id);
  }

  public record Allocation(long id, boolean isNew) {}

  public synchronized Optional<Long> find(WorkloadRef workload) {
    return Optional.ofNullable(ids.get(workload));
  }

  public synchronized Optional<WorkloadRef> workload(long id) {
    return Optional.ofNullable(byId.get(id));
  }

  /**
   * An identity's vertex: a workload's {@code NS/KIND/NAME} (always the same String), a reserved
   * id's name, or unknown.
   */
  public synchronized String vertexOf(long id) {
    if (Identities.isReserved(id)) {
      return Identities.reservedName(id);
    }
    String vertex = vertexById.get(id);
    return vertex != null ? vertex : Identities.reservedName(Identities.UNKNOWN);
  }

  /** The identity of a workload vertex; empty for any other name (an entity, the outside, a typo). */
  public synchronized Optional<Long> findVertex(String vertex) {
    return Optional.ofNullable(idByVertex.get(vertex));
  }

  /** Forgets a deleted workload; its id is not reused. */
  public synchronized void release(WorkloadRef workload) {
    Long id = ids.remove(workload);
    if (id != null) {
      byId.remove(id);
      idByVertex.remove(vertexById.remove(id));
    }
  }

  public synchronized Map<WorkloadRef, Long> snapshot() {
    return Map.copyOf(ids);
  }
}
