package dev.palisade.model.crd;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * The approved graph as code: edges a team approved, kept as YAML in the app's repository and
 * applied with kubectl or GitOps. Written by people (or {@code palisade ci}'s patch), never by the
 * controller, which only reads it: an edge listed here counts as approved, and the graph API says
 * that the approval came from this object rather than from the review page.
 */
@Group(CrdNames.GROUP)
@Version(CrdNames.VERSION)
@Kind("ApprovedGraph")
@Plural("approvedgraphs")
@ShortNames("pag")
public class ApprovedGraph extends CustomResource<ApprovedGraphSpec, Void> implements Namespaced {}
