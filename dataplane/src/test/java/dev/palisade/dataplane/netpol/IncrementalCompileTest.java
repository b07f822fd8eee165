package dev.palisade.dataplane.netpol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * An agent compiles with one {@link PodViews} kept across compiles, reusing what has not changed.
 * Whatever sequence of changes comes, each result must equal a compile from scratch.
 */
class IncrementalCompileTest {
  private static final KubernetesSerialization YAML = new KubernetesSerialization();

  private static NetworkPolicy policy(String yaml) {
    return YAML.unmarshal(yaml, NetworkPolicy.class);
  }

  private static final List<NetworkPolicy> POLICIES = List.of(
      policy("""
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: from-team, namespace: a}
          spec:
            podSelector: {matchLabels: {app: db}}
            ingress:
            - from: [{namespaceSelector: {matchLabels: {team: blue}}, podSelector: {matchLabels: {role: client}}}]
              ports: [{port: 5432}]
          """),
      policy("""
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: named, namespace: a}
          spec:
            podSelector: {matchLabels: {app: web}}
            ingress:
            - from: [{podSelector: {}}]
              ports: [{port: http}]
            egress:
            - to: [{ipBlock: {cidr: 10.9.0.0/16}}]
            - to: [{podSelector: {matchLabels: {app: db}}}]
              ports: [{port: 5432}]
          """),
      policy("""
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: all, namespace: b}
          spec:
            podSelector: {}
            ingress: [{}]
            egress: [{ports: [{port: dns, protocol: UDP}]}]
          """));

  private static Pod pod(String ns, String name, String ip, Map<String, String> labels, boolean httpPort) {
    PodBuilder b = new PodBuilder().withNewMetadata().withNamespace(ns).withName(name).withLabels(labels).endMetadata()
        .withNewStatus().withPhase("Running").withPodIP(ip).endStatus();
    var spec = b.withNewSpec().addNewContainer().withName("c").withImage("x");
    if (httpPort) {
      spec.addNewPort().withName("http").withContainerPort(8080).endPort();
    }
    spec.addNewPort().withName("dns").withContainerPort(53).withProtocol("UDP").endPort();
    return spec.endContainer().endSpec().build();
  }

  private static Namespace namespace(String name, String team) {
    return new NamespaceBuilder().withNewMetadata().withName(name).addToLabels("team", team).endMetadata().build();
  }

  @Test
  void everyCompileWithKeptViewsEqualsOneFromScratch() {
    Random random = new Random(5);
    String[] namespaces = {"a", "b", "c"};
    String[] apps = {"db", "web", "client"};
    Map<String, Pod> pods = new LinkedHashMap<>();
    Map<String, Namespace> nss = new LinkedHashMap<>();
    for (String n : namespaces) {
      nss.put(n, namespace(n, random.nextBoolean() ? "blue" : "red"));
    }
    List<NetworkPolicy> policies = new ArrayList<>(POLICIES);
    PodViews views = new PodViews();
    PodPolicy shared = null;
    for (int step = 0; step < 400; step++) {
      int change = random.nextInt(10);
      if (change < 5 || pods.isEmpty()) { // a pod appears or is replaced (new object, maybe new labels)
        String ns = namespaces[random.nextInt(3)];
        String name = "p" + random.nextInt(30);
        Map<String, String> labels = Map.of("app", apps[random.nextInt(3)], "role",
            random.nextBoolean() ? "client" : "server");
        pods.put(ns + "/" + name, pod(ns, name, "10.0." + random.nextInt(4) + "." + random.nextInt(250), labels,
            random.nextBoolean()));
      } else if (change < 7) { // a pod goes
        List<String> keys = new ArrayList<>(pods.keySet());
        pods.remove(keys.get(random.nextInt(keys.size())));
      } else if (change < 8) { // a namespace is relabelled
        String n = namespaces[random.nextInt(3)];
        nss.put(n, namespace(n, random.nextBoolean() ? "blue" : "red"));
      } else if (change < 9) { // a policy object is replaced by an equal new one, or removed and back
        int i = random.nextInt(policies.size());
        if (random.nextBoolean()) {
          policies.set(i, YAML.unmarshal(YAML.asYaml(policies.get(i)), NetworkPolicy.class));
        } else {
          policies.remove(i);
          if (policies.size() < 2) {
            policies = new ArrayList<>(POLICIES);
          }
        }
      } // else: nothing changed, a resync
      List<Pod> list = new ArrayList<>(pods.values());
      Set<String> local = new HashSet<>();
      for (Pod p : list) {
        if (random.nextInt(3) == 0) {
          local.add(p.getStatus().getPodIP());
        }
      }
      List<Namespace> nsList = new ArrayList<>(nss.values());
      NetworkPolicyCompiler.Result kept = NetworkPolicyCompiler.compile(policies, nsList, list, local, views);
      NetworkPolicyCompiler.Result fresh = NetworkPolicyCompiler.compile(policies, nsList, list, local);
      assertEquals(fresh.pods(), kept.pods(), "step " + step);
      assertEquals(fresh.problems(), kept.problems(), "step " + step);
      // nothing changed: a pod whose peers are selected pods (no ipBlock, no "everyone", whose
      // named ports are looked up anew) gets the very same answer, so the renderer can reuse its work
      String db = list.stream().filter(p -> local.contains(p.getStatus().getPodIP()))
          .filter(p -> p.getMetadata().getNamespace().equals("a") && "db".equals(p.getMetadata().getLabels().get("app")))
          .map(p -> p.getStatus().getPodIP()).filter(ip -> list.stream().filter(q -> q.getStatus().getPodIP().equals(ip))
              .count() == 1).findFirst().orElse(null);
      if (change == 9 && db != null && POLICIES.stream().allMatch(policies::contains)) {
        PodPolicy again = NetworkPolicyCompiler.compile(policies, nsList, list, local, views).pods().get(db);
        assertSame(kept.pods().get(db), again, "step " + step);
        shared = again;
      }
    }
    assertEquals(true, shared != null, "the sequence never checked reuse");
  }
}
