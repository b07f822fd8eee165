package dev.palisade.model.crd;

/**
 * spec of a {@link SegmentationMode}: the mode (learn, monitor, enforce) for the whole namespace,
 * or for one workload ({@code KIND/NAME}) when {@code workload} is set. The nearest setting wins.
 */
public class SegmentationModeSpec {
  public String mode;
  public String workload;
}
