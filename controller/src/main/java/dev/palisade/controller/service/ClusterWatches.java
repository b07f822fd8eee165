package dev.palisade.controller.service;

import dev.palisade.controller.access.ControllerAccess;
import dev.palisade.controller.approved.ApprovedGraphWatch;
import dev.palisade.controller.guardrail.Guardrails;
import dev.palisade.controller.publish.PublishedObjects;
import dev.palisade.controller.review.ModeIndex;
import dev.palisade.model.crd.AllowList;
import dev.palisade.model.crd.ApprovedGraph;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.util.List;

/**
 * The cluster's kinds the controller watches (those {@link ControllerAccess} lets it), each with
 * what handles its changes. Registering only: they all start together at
 * {@link ClusterCache#startAndAwait}, so nothing is written before every one has synced.
 */
final class ClusterWatches {
  private ClusterWatches() {}

  /**
   * @param publishAllOnceReady what an ApprovedGraph's change does: every allow-list compiled
   *     again, once the controller is ready
   */
  static void register(ClusterCache cluster, ControllerLoop loop, PodEvents pods, ModeIndex modeIndex,
      Guardrails guardrails, ApprovedGraphWatch approvedGraphs, PublishedObjects publishing,
      Runnable publishAllOnceReady) {
    pods.watch(loop, cluster.rootOwner("Job", Job.class, modeIndex.annotations("Job")));
    // Root owners and namespaces: their palisade.dev/mode annotations are modes GitOps can carry.
    cluster.namespaces(modeIndex.annotations(null))
        .addEventHandler(guardrails.dueOnChange()); // namespace labels select guardrails' pods
    cluster.add(guardrails.informers());
    cluster.rootOwner("Deployment", Deployment.class, modeIndex.annotations("Deployment"));
    cluster.rootOwner("StatefulSet", StatefulSet.class, modeIndex.annotations("StatefulSet"));
    cluster.rootOwner("DaemonSet", DaemonSet.class, modeIndex.annotations("DaemonSet"));
    cluster.rootOwner("CronJob", CronJob.class, modeIndex.annotations("CronJob"));
    // The rest of what the graph is judged by: which service is the cluster DNS, service
    // accounts, endpoints, policies. Watched from the start so nothing is written before they synced.
    cluster.services();
    cluster.inform(EndpointSlice.class, null);
    cluster.inform(ServiceAccount.class, null);
    cluster.inform(NetworkPolicy.class, null);
    approvedGraphs.watching(cluster.inform(ApprovedGraph.class,
        approvedGraphs.handler(loop::submit, publishAllOnceReady)));
    // What the controller publishes, so that a deletion or an edit by anyone else is written back.
    cluster.inform(AllowList.class, publishing.allowLists().handler());
    cluster.add(List.of(publishing.defaultsInformer()));
    modeIndex.watching(cluster.modes(modeIndex.segmentationModes()));
  }
}
