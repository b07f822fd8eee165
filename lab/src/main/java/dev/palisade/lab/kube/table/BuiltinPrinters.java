package dev.palisade.lab.kube.table;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The columns kube-apiserver prints for built-in kinds (k8s.io/kubernetes pkg/printers/internalversion),
 * for the kinds the lab serves: pods, deployments, replicasets, statefulsets, daemonsets, jobs,
 * cronjobs, services, namespaces and nodes. Other kinds get NAME and AGE ({@link #DEFAULT}).
 *
 * <p>The lab's store does not default fields as kube-apiserver does, so a missing service type
 * prints as ClusterIP, a missing namespace phase as Active, and missing replica counts as kube's
 * defaults (1).
 */
public final class BuiltinPrinters {
  private BuiltinPrinters() {}

  /** NAME and AGE, what kube-apiserver prints for kinds without a printer. */
  public static final RowPrinter DEFAULT = new Columns(List.of(TableColumn.NAME, TableColumn.AGE),
      (o, now) -> List.of(Cells.name(o), Cells.age(o, now)));

  private static final Map<String, RowPrinter> BY_RESOURCE = Map.of(
      "/pods", CorePrinters.pods(),
      "apps/deployments", WorkloadPrinters.deployments(),
      "apps/replicasets", WorkloadPrinters.replicaSets(),
      "apps/statefulsets", WorkloadPrinters.statefulSets(),
      "apps/daemonsets", WorkloadPrinters.daemonSets(),
      "batch/jobs", WorkloadPrinters.jobs(),
      "batch/cronjobs", WorkloadPrinters.cronJobs(),
      "/services", CorePrinters.services(),
      "/namespaces", CorePrinters.namespaces(),
      "/nodes", CorePrinters.nodes());

  /** The printer of a built-in resource ({@code group} empty for the core group), if it has one. */
  public static Optional<RowPrinter> forResource(String group, String resource) {
    return Optional.ofNullable(BY_RESOURCE.get(group + "/" + resource));
  }
}
