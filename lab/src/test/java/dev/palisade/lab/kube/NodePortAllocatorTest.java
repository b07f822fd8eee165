package dev.palisade.lab.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NodePortAllocatorTest {
  private static ServicePort port(String name, int port, Integer nodePort) {
    return new ServicePortBuilder().withName(name).withPort(port).withProtocol("TCP").withNodePort(nodePort).build();
  }

  @Test
  void givenPortsAreKeptAndTheOthersGetTheLowestFree() {
    List<Integer> got = NodePortAllocator.allocate("shop/web", List.of(port("http", 80, null), port("admin", 81, 30001),
        port("metrics", 9090, null)), Set.of(30000, 30002));
    assertEquals(List.of(30003, 30001, 30004), got);
  }

  @Test
  void refusesAPortOutOfRangeOrTakenNamingIt() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> NodePortAllocator.allocate("shop/web", List.of(port("http", 80, 8080)), Set.of()));
    assertEquals("shop/web port http 80/TCP: nodePort 8080 is not in the node port range 30000-32767", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> NodePortAllocator.allocate("shop/web", List.of(port("http", 80, 30080)), Set.of(30080)));
    assertEquals("shop/web port http 80/TCP: nodePort 30080 is already allocated to another Service", e.getMessage());
  }

  @Test
  void saysWhenTheRangeIsFull() {
    Set<Integer> all = new java.util.HashSet<>();
    for (int p = NodePortAllocator.FIRST; p <= NodePortAllocator.LAST; p++) {
      all.add(p);
    }
    var e = assertThrows(IllegalArgumentException.class,
        () -> NodePortAllocator.allocate("shop/web", List.of(port("http", 80, null)), all));
    assertEquals("shop/web: no free node port left in 30000-32767", e.getMessage());
  }
}
