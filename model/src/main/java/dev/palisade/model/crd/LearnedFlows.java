package dev.palisade.model.crd;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** The learned edges out of one workload, in its namespace; the flow graph's persistent form. */
@Group(CrdNames.GROUP)
@Version(CrdNames.VERSION)
@Kind("LearnedFlows")
@Plural("learnedflows")
@ShortNames("plf")
public class LearnedFlows extends CustomResource<LearnedFlowsSpec, Void> implements Namespaced {}
