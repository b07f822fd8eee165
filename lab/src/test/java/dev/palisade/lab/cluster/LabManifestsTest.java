package dev.palisade.lab.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What {@link Lab#apply} hands fabric8: every document, aliases and merge keys resolved. */
class LabManifestsTest {
  @Test
  void multiDocumentManifestsWithAliasesAndMergeKeysBecomeTypedObjects() {
    String manifests = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: shop, labels: &app {app: web}}
        spec:
          replicas: 2
          selector: {matchLabels: *app}
          template:
            metadata:
              labels:
                <<: *app
                version: v1
            spec:
              containers:
              - &container {name: web, image: shop/web:1.0, ports: [{name: http, containerPort: 8080}]}
              - {<<: *container, name: sidecar, ports: [{containerPort: 9090}]}
        ---
        ---
        apiVersion: v1
        kind: List
        items:
        - apiVersion: v1
          kind: Service
          metadata: {name: web, namespace: shop}
          spec: {selector: {app: web}, ports: [{name: http, port: 80, targetPort: http}]}
        """;
    List<HasMetadata> items = Lab.objects(new KubernetesSerialization(), manifests);
    assertEquals(2, items.size(), "the empty document is skipped, the List gives its item");
    Deployment d = (Deployment) items.get(0);
    assertEquals(Map.of("app", "web"), d.getSpec().getSelector().getMatchLabels());
    assertEquals(Map.of("app", "web", "version", "v1"), d.getSpec().getTemplate().getMetadata().getLabels());
    var sidecar = d.getSpec().getTemplate().getSpec().getContainers().get(1);
    assertEquals("shop/web:1.0", sidecar.getImage(), "merged from the first container");
    assertEquals(9090, sidecar.getPorts().get(0).getContainerPort());
    assertEquals("http", ((Service) items.get(1)).getSpec().getPorts().get(0).getTargetPort().getStrVal());
  }
}
