package dev.palisade.controller.persist;

import dev.palisade.controller.graph.EdgeStatus;
import dev.palisade.controller.graph.FlowEdge.EdgeKey;
import dev.palisade.controller.graph.FlowGraph;
import dev.palisade.controller.identity.WorkloadIndex;
import dev.palisade.controller.publish.AllowListPublisher;
import dev.palisade.controller.publish.PublishedObjects;
import dev.palisade.model.Protocol;
import dev.palisade.model.crd.AllowList;
import dev.palisade.model.crd.LearnedFlows;
import dev.palisade.model.crd.LearnedFlowsSpec;
import dev.palisade.model.crd.WorkloadIdentity;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Identities, edges and published allow-lists as the previous controller run left them, read back
 * before anything is written: a restart then never renumbers a workload, forgets an edge, or
 * starts the allow-list revision over. A damaged object is skipped with a warning, never fatal:
 * one bad edge must not keep the controller from starting.
 */
public final class ControllerRestore {
  private static final Logger LOG = LoggerFactory.getLogger(ControllerRestore.class);

  private ControllerRestore() {}

  public static void restore(KubernetesClient client, WorkloadIndex workloads, FlowGraph graph,
      LearnedFlowsWriter learned, AllowListPublisher allowLists, PublishedObjects publishing) {
    for (WorkloadIdentity wi : client.resources(WorkloadIdentity.class).inAnyNamespace().list().getItems()) {
      try {
        workloads.restore(wi);
      } catch (RuntimeException e) {
        LOG.warn("ignoring WorkloadIdentity {}/{}: {}", wi.getMetadata().getNamespace(), wi.getMetadata().getName(),
            e.getMessage());
      }
    }
    for (LearnedFlows lf : client.resources(LearnedFlows.class).inAnyNamespace().list().getItems()) {
      restoreEdges(graph, lf);
      learned.adopt(lf);
    }
    for (AllowList al : client.resources(AllowList.class).inAnyNamespace().list().getItems()) {
      if (al.getSpec() != null) {
        allowLists.restored(al.getSpec());
        publishing.allowLists().adopt(al);
      }
    }
    publishing.restoreDefaults();
  }

  /**
   * One LearnedFlows object's edges into the graph, under the source it names: a source kept in
   * several parts is merged whole once each part is read. An edge that does not parse is skipped.
   */
  public static void restoreEdges(FlowGraph graph, LearnedFlows lf) {
    if (lf.getSpec() == null || lf.getSpec().edges == null) {
      return;
    }
    for (LearnedFlowsSpec.Edge e : lf.getSpec().edges) {
      try {
        graph.restore(new EdgeKey(lf.getSpec().source, e.destination, Protocol.parse(e.protocol), e.port),
            EdgeStatus.valueOf(e.status.toUpperCase(Locale.ROOT)), e.count, e.firstSeen, e.lastSeen,
            e.violations, e.sourcePods == null ? List.of() : e.sourcePods,
            e.destinationPods == null ? List.of() : e.destinationPods);
      } catch (RuntimeException ex) {
        LOG.warn("ignoring a LearnedFlows edge of {}: {}", lf.getSpec().source, ex.getMessage());
      }
    }
  }
}
