package dev.palisade.model.workload;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Optional;

/** Finds an owner object (ReplicaSet, Job, ...) by namespace, kind and name, from informer caches. */
@FunctionalInterface
public interface OwnerLookup {
  Optional<HasMetadata> find(String namespace, String kind, String name);
}
