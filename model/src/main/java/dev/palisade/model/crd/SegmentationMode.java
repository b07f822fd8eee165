package dev.palisade.model.crd;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** Declarative mode of a namespace or workload; GitOps can carry it. */
@Group(CrdNames.GROUP)
@Version(CrdNames.VERSION)
@Kind("SegmentationMode")
@Plural("segmentationmodes")
@ShortNames("psm")
public class SegmentationMode extends CustomResource<SegmentationModeSpec, Void> implements Namespaced {}
