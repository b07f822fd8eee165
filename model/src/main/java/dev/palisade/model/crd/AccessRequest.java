package dev.palisade.model.crd;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A developer's request for one edge ({@code palisade request SRC DST PORT/PROTO --reason TEXT}),
 * in the requester's namespace. It decides nothing by itself: it waits in the review page's queue
 * until an approver approves or rejects it there, which is one audited decision; the controller
 * then writes that decision into its status (a status subresource, so the requester, who may only
 * create requests, cannot set it).
 */
@Group(CrdNames.GROUP)
@Version(CrdNames.VERSION)
@Kind("AccessRequest")
@Plural("accessrequests")
@ShortNames("par")
public class AccessRequest extends CustomResource<AccessRequestSpec, AccessRequestStatus> implements Namespaced {
  @Override
  protected AccessRequestStatus initStatus() {
    return null;
  }
}
