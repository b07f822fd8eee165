package dev.palisade.model.crd;

/**
 * Where the controller publishes the cluster-wide default mode (for workloads no SegmentationMode
 * or annotation covers), so every agent reads one source of truth instead of a flag of its own.
 */
public final class ClusterDefaults {
  public static final String NAMESPACE = "palisade-system";
  public static final String NAME = "palisade-defaults";
  public static final String MODE_KEY = "mode";

  private ClusterDefaults() {}
}
