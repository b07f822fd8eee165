package dev.palisade.model.crd;

import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * The flow graph's edges and their statuses at one moment, kept so reviewers can ask "what
 * changed since" it. Cluster-scoped: a snapshot spans namespaces.
 */
@Group(CrdNames.GROUP)
@Version(CrdNames.VERSION)
@Kind("GraphSnapshot")
@Plural("graphsnapshots")
@ShortNames("psnap")
public class GraphSnapshot extends CustomResource<GraphSnapshotSpec, Void> {}
