package dev.palisade.dataplane.netpol;

import static dev.palisade.dataplane.netpol.NetpolFixture.allowed;
import static dev.palisade.dataplane.netpol.NetpolFixture.policy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.dataplane.render.AllowRect;
import dev.palisade.dataplane.render.AllowRect.Proto;
import dev.palisade.dataplane.render.Interval;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NetworkPolicyCompilerTest {
  private final NetpolFixture f = NetpolFixture.model();

  @Test
  void defaultDenyIngressIsolatesEveryPodOfItsNamespaceOnly() {
    var r = f.compile(policy("""
        metadata: {name: deny-ingress, namespace: x}
        spec: {podSelector: {}, policyTypes: [Ingress]}
        """));
    for (Proto proto : Proto.values()) {
      f.assertTable(r, proto, 80, """
              x/a x/b y/a y/b
          x/a  -   X   .   .
          x/b  X   -   .   .
          y/a  X   X   -   .
          """);
    }
    assertEquals(PodPolicy.OPEN, r.pods().get(f.ipOf.get("y/a")), "a pod no policy selects stays open");
  }

  @Test
  void defaultDenyEgressBlocksEveryDestinationIncludingOtherNamespaces() {
    var r = f.compile(policy("""
        metadata: {name: deny-egress, namespace: x}
        spec: {podSelector: {}, policyTypes: [Egress]}
        """));
    f.assertTable(r, Proto.UDP, 81, """
            x/a x/b y/a
        x/a  -   X   X
        x/b  X   -   X
        y/a  .   .   -
        """);
    assertFalse(allowed(r, f.ipOf.get("x/a"), "192.168.7.7", Proto.TCP, 443), "external destinations too");
  }

  @Test
  void withoutPolicyTypesIngressIsAlwaysIsolatedAndEgressOnlyWhenThereAreEgressRules() {
    var ingressOnly = f.compile(policy("""
        metadata: {name: a-from-b, namespace: x}
        spec:
          podSelector: {matchLabels: {pod: a}}
          ingress: [{from: [{podSelector: {matchLabels: {pod: b}}}]}]
        """));
    f.assertTable(ingressOnly, Proto.TCP, 80, """
            x/a x/b y/a
        x/a  -   .   .
        x/b  .   -   .
        y/a  X   .   -
        """);

    // Only egress rules written, no policyTypes: the default still holds Ingress, with no ingress rule.
    var egressRules = f.compile(policy("""
        metadata: {name: a-to-b, namespace: x}
        spec:
          podSelector: {matchLabels: {pod: a}}
          egress: [{to: [{podSelector: {matchLabels: {pod: b}}}]}]
        """));
    f.assertTable(egressRules, Proto.TCP, 80, """
            x/a x/b y/a
        x/a  -   .   X
        x/b  X   -   .
        y/a  X   .   -
        """);
    PodPolicy a = egressRules.pods().get(f.ipOf.get("x/a"));
    assertEquals(new PodPolicy.Side(true, Set.of(), Set.of()), a.ingress());
  }

  @Test
  void rulesOfADirectionMissingFromPolicyTypesAreIgnored() {
    var r = f.compile(policy("""
        metadata: {name: egress-only, namespace: x}
        spec:
          podSelector: {matchLabels: {pod: a}}
          policyTypes: [Egress]
          ingress: [{from: [{podSelector: {matchLabels: {pod: b}}}]}]
        """));
    f.assertTable(r, Proto.TCP, 80, """
            x/a x/b y/a
        x/a  -   X   X
        x/b  .   -   .
        y/a  .   .   -
        """);
  }

  @Test
  void podSelectorAlonePicksThePolicysOwnNamespace() {
    var r = f.compile(policy("""
        metadata: {name: a-from-b, namespace: x}
        spec:
          podSelector: {matchLabels: {pod: a}}
          ingress: [{from: [{podSelector: {matchLabels: {pod: b}}}]}]
        """));
    f.assertTable(r, Proto.TCP, 80, """
            x/a
        x/b  .
        x/c  X
        y/b  X
        z/b  X
        """);
  }

  @Test
  void namespaceSelectorAlonePicksEveryPodOfMatchingNamespaces() {
    var r = f.compile(policy("""
        metadata: {name: a-from-y, namespace: x}
        spec:
          podSelector: {matchLabels: {pod: a}}
          ingress: [{from: [{namespaceSelector: {matchLabels: {ns: y}}}]}]
        """));
    f.assertTable(r, Proto.TCP, 80, """
            x/a
        x/b  X
        y/a  .
        y/b  .
        y/c  .
        z/a  X
        """);
  }

  @Test
  void podAndNamespaceSelectorInOnePeerAreAnded() {
    var r = f.compile(policy("""
        metadata: {name: a-from-y-b, namespace: x}
        spec:
          podSelector: {matchLabels: {pod: a}}
          ingress:
          - from:
            - namespaceSelector: {matchLabels: {ns: y}}
              podSelector: {matchLabels: {pod: b}}
        """));
    f.assertTable(r, Proto.TCP, 80, """
            x/a
        x/b  X
        y/a  X
        y/b  .
        z/b  X
        """);
  }

  @Test
  void separatePeersAreOred() {
    var r = f.compile(policy("""
        metadata: {name: a-from-y-or-c, namespace: x}
        spec:
          podSelector: {matchLabels: {pod: a}}
          ingress:
          - from:
            - namespaceSelector: {matchLabels: {ns: y}}
            - podSelector: {matchLabels: {pod: c}}
        """));
    f.assertTable(r, Proto.TCP, 80, """
            x/a
        x/b  X
        x/c  .
        y/a  .
        y/b  .
        z/c  X
        """);
  }

  @Test
  void emptySelectorsMeanAllPodsButNotOtherAddresses() {
    var ownNamespace = f.compile(policy("""
        metadata: {name: from-x, namespace: x}
        spec: {podSelector: {}, ingress: [{from: [{podSelector: {}}]}]}
        """));
    f.assertTable(ownNamespace, Proto.TCP, 80, """
            x/a x/b
        x/c  .   .
        y/a  X   X
        """);

    var allNamespaces = f.compile(policy("""
        metadata: {name: from-pods, namespace: x}
        spec: {podSelector: {}, ingress: [{from: [{namespaceSelector: {}}]}]}
        """));
    f.assertTable(allNamespaces, Proto.TCP, 80, """
            x/a x/b
        x/c  .   .
        y/a  .   .
        z/c  .   .
        """);
    assertFalse(allowed(allNamespaces, "192.168.1.1", f.ipOf.get("x/a"), Proto.TCP, 80),
        "namespaceSelector {} selects pods, not every address");

    var everyone = f.compile(policy("""
        metadata: {name: from-all, namespace: x}
        spec: {podSelector: {}, ingress: [{}]}
        """));
    assertTrue(allowed(everyone, "192.168.1.1", f.ipOf.get("x/a"), Proto.SCTP, 9),
        "a rule without from and ports allows every address, protocol and port");
  }

  @Test
  void matchExpressionsSelectPodsAndNamespaces() {
    f.namespaces.clear();
    f.namespace("x", Map.of("ns", "x")).namespace("y", Map.of("ns", "y", "team", "blue")).namespace("z", Map.of("ns", "z"));
    var r = f.compile(policy("""
        metadata: {name: expressions, namespace: x}
        spec:
          podSelector: {matchExpressions: [{key: pod, operator: In, values: [a, b]}]}
          ingress:
          - from:
            - namespaceSelector: {matchExpressions: [{key: team, operator: Exists}]}
              podSelector: {matchExpressions: [{key: pod, operator: NotIn, values: [a]}]}
            - namespaceSelector: {matchExpressions: [{key: team, operator: DoesNotExist},
                                                     {key: ns, operator: NotIn, values: [x]}]}
              podSelector: {matchLabels: {pod: c}}
        """));
    // Targets x/a and x/b; sources: y (team exists) pods b, c; z (no team, not x) pod c.
    f.assertTable(r, Proto.TCP, 80, """
            x/a x/b x/c
        x/b  X   -   .
        x/c  X   X   -
        y/a  X   X   .
        y/b  .   .   .
        y/c  .   .   .
        z/b  X   X   .
        z/c  .   .   .
        """);
  }

  @Test
  void aMissingProtocolIsTcpAndAProtocolWithoutPortIsEveryPortOfIt() {
    var r = f.compile(policy("""
        metadata: {name: ports, namespace: x}
        spec:
          podSelector: {matchLabels: {pod: a}}
          ingress: [{ports: [{port: 80}, {protocol: UDP}]}]
        """));
    String a = f.ipOf.get("x/a");
    String y = f.ipOf.get("y/a");
    assertTrue(allowed(r, y, a, Proto.TCP, 80));
    assertFalse(allowed(r, y, a, Proto.TCP, 81));
    assertFalse(allowed(r, y, a, Proto.SCTP, 80));
    assertTrue(allowed(r, y, a, Proto.UDP, 80));
    assertTrue(allowed(r, y, a, Proto.UDP, 53));
    assertTrue(allowed(r, y, a, Proto.UDP, 65535));
    assertEquals(Set.of(new AllowRect(Interval.ALL_IPS, Proto.TCP, Interval.port(80)),
        new AllowRect(Interval.ALL_IPS, Proto.UDP, Interval.ALL_PORTS)), r.pods().get(a).ingress().rects());
  }

  @Test
  void sctpIsItsOwnProtocol() {
    var r = f.compile(policy("""
        metadata: {name: sctp-81, namespace: x}
        spec:
          podSelector: {matchLabels: {pod: a}}
          ingress: [{ports: [{protocol: SCTP, port: 81}]}]
        """));
    String a = f.ipOf.get("x/a");
    String y = f.ipOf.get("y/a");
    assertTrue(allowed(r, y, a, Proto.SCTP, 81));
    assertFalse(allowed(r, y, a, Proto.TCP, 81), "SCTP must never be read as TCP");
    assertFalse(allowed(r, y, a, Proto.SCTP, 80));
  }

  @Test
  void endPortIsInclusive() {
    var r = f.compile(policy("""
        metadata: {name: range, namespace: x}
        spec:
          podSelector: {matchLabels: {pod: a}}
          ingress: [{ports: [{port: 80, endPort: 81}, {protocol: UDP, port: 5000, endPort: 5000}]}]
        """));
    String a = f.ipOf.get("x/a");
    String y = f.ipOf.get("y/a");
    assertFalse(allowed(r, y, a, Proto.TCP, 79));
    assertTrue(allowed(r, y, a, Proto.TCP, 80));
    assertTrue(allowed(r, y, a, Proto.TCP, 81));
    assertFalse(allowed(r, y, a, Proto.TCP, 82));
    assertTrue(allowed(r, y, a, Proto.UDP, 5000));
    assertFalse(allowed(r, y, a, Proto.UDP, 5001));
    assertFalse(allowed(r, y, a, Proto.UDP, 80));
  }

  @Test
  void ingressNamedPortsResolveOnEachSelectedPod() {
    NetpolFixture g = new NetpolFixture();
    g.namespace("x", Map.of()).namespace("y", Map.of());
    g.pod("x", "a", "10.244.1.1", Map.of("app", "web"), "http:8080/TCP", "dns:53/UDP");
    g.pod("x", "b", "10.244.1.2", Map.of("app", "web"), "http:9090/TCP");
    g.pod("y", "client", "10.244.2.1", Map.of());
    var r = g.compile(policy("""
        metadata: {name: web-http, namespace: x}
        spec:
          podSelector: {matchLabels: {app: web}}
          ingress: [{ports: [{port: http}, {port: dns}]}]
        """));
    assertTrue(g.podsAllowed(r, "y/client", "x/a", Proto.TCP, 8080));
    assertFalse(g.podsAllowed(r, "y/client", "x/a", Proto.TCP, 9090));
    assertTrue(g.podsAllowed(r, "y/client", "x/b", Proto.TCP, 9090));
    assertFalse(g.podsAllowed(r, "y/client", "x/b", Proto.TCP, 8080));
    // {port: dns} has the default protocol TCP, and x/a's dns is UDP: the name does not match.
    assertFalse(g.podsAllowed(r, "y/client", "x/a", Proto.UDP, 53));
    assertFalse(g.podsAllowed(r, "y/client", "x/a", Proto.TCP, 53));
  }

  @Test
  void egressNamedPortsResolveOnEachDestinationPod() {
    NetpolFixture g = new NetpolFixture();
    g.namespace("x", Map.of()).namespace("y", Map.of());
    g.pod("x", "a", "10.244.1.1", Map.of("app", "web"), "http:8080/TCP");
    g.pod("x", "b", "10.244.1.2", Map.of("app", "web"), "http:9090/TCP");
    g.pod("x", "c", "10.244.1.3", Map.of("app", "db"), "sql:5432/TCP");
    g.pod("y", "client", "10.244.2.1", Map.of("role", "client"));
    var r = g.compile(policy("""
        metadata: {name: to-http, namespace: y}
        spec:
          podSelector: {matchLabels: {role: client}}
          policyTypes: [Egress]
          egress: [{ports: [{port: http}]}]
        """));
    assertEquals(Set.of(
        new AllowRect(Interval.ip("10.244.1.1"), Proto.TCP, Interval.port(8080)),
        new AllowRect(Interval.ip("10.244.1.2"), Proto.TCP, Interval.port(9090))),
        r.pods().get("10.244.2.1").egress().rects(), "one rectangle per destination pod with the name");
    assertTrue(g.podsAllowed(r, "y/client", "x/a", Proto.TCP, 8080));
    assertFalse(g.podsAllowed(r, "y/client", "x/a", Proto.TCP, 9090));
    assertTrue(g.podsAllowed(r, "y/client", "x/b", Proto.TCP, 9090));
    assertFalse(g.podsAllowed(r, "y/client", "x/c", Proto.TCP, 5432));
    assertFalse(allowed(r, "10.244.2.1", "203.0.113.5", Proto.TCP, 8080), "a non-pod address has no port names");

    var viaBlock = g.compile(policy("""
        metadata: {name: to-http-in-block, namespace: y}
        spec:
          podSelector: {matchLabels: {role: client}}
          policyTypes: [Egress]
          egress:
          - to: [{ipBlock: {cidr: 10.244.1.0/24, except: [10.244.1.2/32]}}]
            ports: [{port: http}]
        """));
    assertEquals(Set.of(new AllowRect(Interval.ip("10.244.1.1"), Proto.TCP, Interval.port(8080))),
        viaBlock.pods().get("10.244.2.1").egress().rects());
  }

  @Test
  void exceptCarvesOnlyItsOwnPeer() {
    var r = f.compile(policy("""
        metadata: {name: block, namespace: x}
        spec:
          podSelector: {matchLabels: {pod: a}}
          policyTypes: [Egress]
          egress:
          - to:
            - ipBlock: {cidr: 10.244.0.0/16, except: [10.244.1.0/24]}
            - podSelector: {matchLabels: {pod: b}}
        """));
    f.assertTable(r, Proto.TCP, 80, """
            x/a x/b x/c y/c z/a
        x/a  -   .   X   .   .
        """);
    assertFalse(allowed(r, f.ipOf.get("x/a"), "10.245.0.1", Proto.TCP, 80), "outside the cidr");
  }

  @Test
  void aCidrWithHostBitsMeansItsNetworkAsTheApiServerReadsIt() {
    var r = f.compile(policy("""
        metadata: {name: sloppy, namespace: x}
        spec:
          podSelector: {matchLabels: {pod: a}}
          ingress: [{from: [{ipBlock: {cidr: 10.244.2.77/24}}]}]
        """));
    f.assertTable(r, Proto.TCP, 80, """
            x/a
        x/b  X
        y/a  .
        y/c  .
        z/a  X
        """);
    assertTrue(r.problems().isEmpty(), r.problems().toString());
  }

  @Test
  void anIpv6BlockIsValidButMatchesNoIpv4Peer() {
    var r = f.compile(policy("""
        metadata: {name: v6, namespace: x}
        spec:
          podSelector: {matchLabels: {pod: a}}
          ingress: [{from: [{ipBlock: {cidr: "fd00::/8", except: ["fd00:1::/32"]}}]}]
        """));
    assertEquals(List.of(), r.problems());
    assertEquals(new PodPolicy.Side(true, Set.of(), Set.of()), r.pods().get(f.ipOf.get("x/a")).ingress());
  }

  @Test
  void policiesAreAUnion() {
    var r = f.compile(policy("""
        metadata: {name: y-on-80, namespace: x}
        spec:
          podSelector: {matchLabels: {pod: a}}
          ingress: [{from: [{namespaceSelector: {matchLabels: {ns: y}}}], ports: [{port: 80}]}]
        """), policy("""
        metadata: {name: z-on-81, namespace: x}
        spec:
          podSelector: {}
          ingress: [{from: [{namespaceSelector: {matchLabels: {ns: z}}}], ports: [{port: 81}]}]
        """));
    f.assertTable(r, Proto.TCP, 80, """
            x/a x/b
        y/a  .   X
        z/a  X   X
        """);
    f.assertTable(r, Proto.TCP, 81, """
            x/a x/b
        y/a  X   X
        z/a  .   .
        """);
  }

  @Test
  void bothEndsMustAllow() {
    var r = f.compile(policy("""
        metadata: {name: a-to-y, namespace: x}
        spec:
          podSelector: {matchLabels: {pod: a}}
          policyTypes: [Egress]
          egress: [{to: [{namespaceSelector: {matchLabels: {ns: y}}}]}]
        """), policy("""
        metadata: {name: y-a-from-x-b, namespace: y}
        spec:
          podSelector: {matchLabels: {pod: a}}
          ingress: [{from: [{namespaceSelector: {matchLabels: {ns: x}}, podSelector: {matchLabels: {pod: b}}}]}]
        """));
    f.assertTable(r, Proto.TCP, 80, """
            x/b y/a y/b z/a
        x/a  X   X   .   X
        x/b  -   .   .   .
        """);
  }

  @Test
  void terminalPodsAndPodsWithoutAddressAreNeitherPeersNorTargets() {
    NetpolFixture g = new NetpolFixture();
    g.namespace("x", Map.of()).namespace("y", Map.of());
    g.pod("x", "server", "10.244.1.1", Map.of("app", "server"));
    // A finished client whose address now belongs to an unrelated pod in another namespace.
    g.podInPhase("x", "old-client", "10.244.1.9", "Failed", Map.of("app", "client"));
    g.pod("y", "newcomer", "10.244.1.9", Map.of("app", "other"));
    g.pod("x", "pending-client", null, Map.of("app", "client"));
    g.podInPhase("x", "done", "10.244.1.7", "Succeeded", Map.of("app", "server"));
    var r = NetworkPolicyCompiler.compile(List.of(policy("""
        metadata: {name: server-from-client, namespace: x}
        spec:
          podSelector: {matchLabels: {app: server}}
          ingress: [{from: [{podSelector: {matchLabels: {app: client}}}]}]
        """)), g.namespaces, g.pods, Set.of("10.244.1.1", "10.244.1.7", "10.244.1.9"));
    assertEquals(new PodPolicy.Side(true, Set.of(), Set.of()), r.pods().get("10.244.1.1").ingress(),
        "no live client: nothing is allowed in");
    assertFalse(r.pods().containsKey("10.244.1.7"), "a succeeded pod is no target");
    assertEquals(PodPolicy.OPEN, r.pods().get("10.244.1.9"), "the address is the newcomer's now");
  }

  @Test
  void aPodNoPolicySelectsIsOpenAndUnknownAddressesAreLeftOut() {
    var r = NetworkPolicyCompiler.compile(List.of(), f.namespaces, f.pods, Set.of("10.244.1.1", "10.9.9.9"));
    assertEquals(Map.of("10.244.1.1", PodPolicy.OPEN), r.pods());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      bad cidr               | ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/33}}]}]                            | x/bad: spec.ingress[0].from[0].ipBlock.cidr:
      cidr without prefix    | egress: [{to: [{ipBlock: {cidr: 10.0.0.1}}]}]                                  | x/bad: spec.egress[0].to[0].ipBlock.cidr:
      except outside cidr    | ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/16, except: [10.1.0.0/24]}}]}]     | x/bad: spec.ingress[0].from[0].ipBlock.except[0]:
      except equal to cidr   | ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/16, except: [10.0.0.0/16]}}]}]     | x/bad: spec.ingress[0].from[0].ipBlock.except[0]:
      port zero              | ingress: [{ports: [{port: 0}]}]                                                | x/bad: spec.ingress[0].ports[0].port:
      port above range       | ingress: [{ports: [{port: 80}, {port: 70000}]}]                                | x/bad: spec.ingress[0].ports[1].port:
      endPort without port   | egress: [{ports: [{endPort: 90}]}]                                             | x/bad: spec.egress[0].ports[0].port:
      endPort below port     | egress: [{ports: [{port: 90, endPort: 80}]}]                                   | x/bad: spec.egress[0].ports[0].endPort:
      endPort on named port  | egress: [{ports: [{port: http, endPort: 80}]}]                                 | x/bad: spec.egress[0].ports[0].endPort:
      endPort above range    | egress: [{ports: [{port: 80, endPort: 65536}]}]                                | x/bad: spec.egress[0].ports[0].endPort:
      bad port name          | ingress: [{ports: [{port: Http_Port}]}]                                        | x/bad: spec.ingress[0].ports[0].port:
      numeric string port    | ingress: [{ports: [{port: '80'}]}]                                             | x/bad: spec.ingress[0].ports[0].port:
      unknown protocol       | ingress: [{ports: [{protocol: ICMP, port: 80}]}]                               | x/bad: spec.ingress[0].ports[0].protocol:
      lower-case protocol    | ingress: [{ports: [{protocol: tcp, port: 80}]}]                                | x/bad: spec.ingress[0].ports[0].protocol:
      empty peer             | ingress: [{from: [{}]}]                                                        | x/bad: spec.ingress[0].from[0]:
      ipBlock with selector  | ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8}, podSelector: {}}]}]            | x/bad: spec.ingress[0].from[0]:
      bad operator           | ingress: [{from: [{podSelector: {matchExpressions: [{key: a, operator: Is}]}}]}] | x/bad: spec.ingress[0].from[0].podSelector.matchExpressions[0].operator:
      In without values      | ingress: [{from: [{namespaceSelector: {matchExpressions: [{key: a, operator: In}]}}]}] | x/bad: spec.ingress[0].from[0].namespaceSelector.matchExpressions[0].values:
      unknown policy type    | 'policyTypes: [Ingress, Sideways]'                                             | x/bad: spec.policyTypes[1]:
      """)
  void anInvalidPolicyIsReportedAndSkippedWhole(String what, String badPart, String problemPrefix) {
    // The valid part of the bad policy would deny all ingress to x; skipped whole, it denies nothing.
    NetworkPolicy bad = policy("""
        metadata: {name: bad, namespace: x}
        spec:
          podSelector: {}
          %s
        """.formatted(badPart));
    NetworkPolicy good = policy("""
        metadata: {name: good, namespace: y}
        spec: {podSelector: {}, policyTypes: [Ingress]}
        """);
    var r = f.compile(bad, good);
    assertEquals(1, r.problems().size(), what + ": " + r.problems());
    assertTrue(r.problems().get(0).startsWith(problemPrefix), what + ": " + r.problems().get(0));
    assertEquals(PodPolicy.OPEN, r.pods().get(f.ipOf.get("x/a")), what + ": nothing of the bad policy applies");
    assertTrue(r.pods().get(f.ipOf.get("y/a")).ingress().isolated(), what + ": the good policy still applies");
  }

  @Test
  void everyProblemOfAPolicyIsReported() {
    var r = f.compile(policy("""
        metadata: {name: bad, namespace: x}
        spec:
          podSelector: {}
          ingress: [{ports: [{port: 0}, {protocol: ICMP}]}]
          egress: [{to: [{ipBlock: {cidr: nonsense}}]}]
        """));
    assertEquals(3, r.problems().size(), r.problems().toString());
  }
}
