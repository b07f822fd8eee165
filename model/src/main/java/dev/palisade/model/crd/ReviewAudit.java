package dev.palisade.model.crd;

import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * One entry of the review audit log (an approval or rejection of one or many edges, a mode
 * change): cluster-scoped, named by its sequence number, written once and never updated, so the
 * log is append-only and survives controller restarts. A decision over more edges than one object
 * holds is written as several, its parts, which share the sequence number.
 */
@Group(CrdNames.GROUP)
@Version(CrdNames.VERSION)
@Kind("ReviewAudit")
@Plural("reviewaudits")
@ShortNames("paudit")
public class ReviewAudit extends CustomResource<ReviewAuditSpec, Void> {}
