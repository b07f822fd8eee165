package dev.palisade.model.crd;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** The compiled allow-list of one workload identity, named like its WorkloadIdentity; agents enforce it. */
@Group(CrdNames.GROUP)
@Version(CrdNames.VERSION)
@Kind("AllowList")
@Plural("allowlists")
@ShortNames("pal")
public class AllowList extends CustomResource<AllowListSpec, Void> implements Namespaced {}
