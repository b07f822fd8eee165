package dev.palisade.model.crd;

import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/**
 * spec of a {@link SegmentationMode}: the mode (learn, monitor, enforce) for the whole namespace,
 * or for one workload ({@code KIND/NAME}) when {@code workload} is set. The nearest setting wins.
 */
public class SegmentationModeSpec {
  // Declared in the CRD, so the API server refuses `enforcing` or no mode (422) instead of storing
  // an object the controller and agents would have to guess about.
  @Required
  @Pattern("^(learn|monitor|enforce)$")
  public String mode;

  @Pattern("^[A-Za-z]+/[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
  public String workload;
}
