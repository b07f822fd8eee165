package dev.palisade.lab.kube;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Pure: the node ports of a NodePort or LoadBalancer Service, as the API server's allocator gives
 * them: a port that names one keeps it if it is in 30000-32767 and no other Service holds it; a
 * port without one gets the lowest free port of the range (the API server picks at random; the
 * lab picks the same one every run, so scenarios and their output are reproducible).
 */
public final class NodePortAllocator {
  public static final int FIRST = 30000;
  public static final int LAST = 32767;

  private NodePortAllocator() {}

  /** Whether this Service type has node ports. */
  public static boolean hasNodePorts(String type) {
    return "NodePort".equals(type) || "LoadBalancer".equals(type);
  }

  /**
   * The node port of each of {@code ports}, in order.
   *
   * @param used node ports other Services hold
   * @throws IllegalArgumentException naming the port whose node port is out of range or taken, or
   *     when the range is full
   */
  public static List<Integer> allocate(String service, List<ServicePort> ports, Set<Integer> used) {
    Set<Integer> taken = new HashSet<>(used);
    List<Integer> out = new ArrayList<>();
    for (ServicePort p : ports) { // given ones first: they are not for the allocator to hand out
      Integer given = p.getNodePort();
      if (given == null || given == 0) {
        continue;
      }
      if (given < FIRST || given > LAST) {
        throw new IllegalArgumentException(service + " port " + describe(p) + ": nodePort " + given
            + " is not in the node port range " + FIRST + "-" + LAST);
      }
      if (used.contains(given)) {
        throw new IllegalArgumentException(service + " port " + describe(p) + ": nodePort " + given
            + " is already allocated to another Service");
      }
      taken.add(given);
    }
    int next = FIRST;
    for (ServicePort p : ports) {
      Integer given = p.getNodePort();
      if (given != null && given != 0) {
        out.add(given);
        continue;
      }
      while (next <= LAST && taken.contains(next)) {
        next++;
      }
      if (next > LAST) {
        throw new IllegalArgumentException(service + ": no free node port left in " + FIRST + "-" + LAST);
      }
      taken.add(next);
      out.add(next);
    }
    return out;
  }

  /** Node ports every Service but {@code except} (namespace/name) holds. */
  public static Set<Integer> usedBy(List<Service> services, String except) {
    Set<Integer> used = new HashSet<>();
    for (Service s : services) {
      String key = s.getMetadata().getNamespace() + "/" + s.getMetadata().getName();
      if (key.equals(except) || s.getSpec() == null || s.getSpec().getPorts() == null) {
        continue;
      }
      for (ServicePort p : s.getSpec().getPorts()) {
        if (p.getNodePort() != null && p.getNodePort() != 0) {
          used.add(p.getNodePort());
        }
      }
    }
    return used;
  }

  private static String describe(ServicePort p) {
    return (p.getName() == null || p.getName().isEmpty() ? "" : p.getName() + " ") + p.getPort() + "/"
        + (p.getProtocol() == null ? "TCP" : p.getProtocol());
  }
}
