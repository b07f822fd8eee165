package dev.palisade.model.crd;

import java.util.Map;

/** spec of a {@link WorkloadIdentity}: the numeric id, the workload it names, its stable labels. */
public class WorkloadIdentitySpec {
  public long id;
  public String kind;
  public String name;
  public String serviceAccount;
  public Map<String, String> labels;
}
