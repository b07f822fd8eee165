package dev.palisade.model.crd;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A workload's numeric identity, in the workload's namespace, named {@code <kind>-<name>}
 * (lower case). Written by the controller only; agents read it to map pod IPs to identities.
 * Persisted so a controller restart or a rollout keeps the id.
 */
@Group(CrdNames.GROUP)
@Version(CrdNames.VERSION)
@Kind("WorkloadIdentity")
@Plural("workloadidentities")
@ShortNames("pwi")
public class WorkloadIdentity extends CustomResource<WorkloadIdentitySpec, Void> implements Namespaced {}
