package dev.palisade.dataplane.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.palisade.dataplane.render.NodeRules.Direction;
import dev.palisade.dataplane.render.NodeRules.Enforcement;
import dev.palisade.dataplane.render.NodeRules.Group;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NodeRulesTest {
  private static final Direction ENFORCED = new Direction(false, Set.of(), Set.of(), Enforcement.ENFORCE, Set.of(), Set.of());
  private static final Direction ISOLATED = new Direction(true, Set.of(), Set.of(), Enforcement.OPEN, Set.of(), Set.of());

  @Test
  void theOldConstructorsCloseNoIpv6AndWithClosedV6KeepsTheRest() {
    NodeRules rules = new NodeRules(List.of(new Group("1", 1, Set.of("10.0.0.1"), ENFORCED, Direction.OPEN)));
    assertEquals(Set.of(), rules.closedV6());
    assertEquals(NodeRules.Failsafe.NONE, rules.failsafe());
    NodeRules closed = rules.withClosedV6(Set.of("FD00:0:0:0::1", "fd00::2"));
    assertEquals(Set.of("fd00::1", "fd00::2"), closed.closedV6(), "held in canonical text");
    assertEquals(rules.groups(), closed.groups());
    assertEquals(rules, closed.withClosedV6(Set.of()));
  }

  @Test
  void restrictedV6IsThatOfPodsWhoseGroupRestrictsEitherDirection() {
    NodeRules rules = new NodeRules(List.of(
        new Group("1", 1, Set.of("10.0.0.1"), ENFORCED, Direction.OPEN),
        new Group("2", 2, Set.of("10.0.0.2"), Direction.OPEN, ISOLATED),
        new Group("3", 3, Set.of("10.0.0.3"), Direction.OPEN, Direction.OPEN)));
    assertEquals(Set.of("fd00::1", "fd00::2"), rules.restrictedV6(Map.of(
        "10.0.0.1", List.of("fd00::1"), "10.0.0.2", List.of("fd00:0::2"), "10.0.0.3", List.of("fd00::3"),
        "10.0.0.4", List.of("fd00::4"))));
  }

  @Test
  void badInputIsRefusedNamingIt() {
    var e = assertThrows(IllegalArgumentException.class, () -> new NodeRules(List.of(
        new Group("1", 1, Set.of("10.0.0.1"), ENFORCED, Direction.OPEN),
        new Group("2", 2, Set.of("10.0.0.1"), Direction.OPEN, ENFORCED))));
    assertEquals("pod address 10.0.0.1 is in two groups: 1 and 2", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new NodeRules(List.of()).withClosedV6(Set.of("fd00::x")));
    assertEquals("bad IPv6 address 'fd00::x': 'x' is not a hex digit", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new NodeRules(List.of()).withClosedV6(Set.of("10.0.0.1")));
    assertEquals("bad IPv6 address '10.0.0.1': not an IPv6 address", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> new Group("1", 1, Set.of("fd00::1"), Direction.OPEN, Direction.OPEN));
    assertEquals("bad IPv4 address 'fd00::1': an IPv6 address where IPv4 is required", e.getMessage());
  }
}
