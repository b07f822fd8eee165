package dev.palisade.model.crd;

/** The API group and version of Palisade's custom resources. */
public final class CrdNames {
  public static final String GROUP = "palisade.dev";
  public static final String VERSION = "v1alpha1";
  public static final String API_VERSION = GROUP + "/" + VERSION;

  private CrdNames() {}

  /** The name of a workload's WorkloadIdentity, AllowList and LearnedFlows: {@code deployment-web}. */
  public static String objectName(dev.palisade.model.WorkloadRef w) {
    return w.kind().toLowerCase(java.util.Locale.ROOT) + "-" + w.name();
  }
}
