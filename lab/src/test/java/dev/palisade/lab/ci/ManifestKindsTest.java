package dev.palisade.lab.ci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.lab.yaml.YamlReader;
import org.junit.jupiter.api.Test;

/** What --manifests may carry: Kubernetes' kinds and Palisade's; any other kind is exit 3 naming file and kind. */
class ManifestKindsTest {
  private static void check(String yaml) {
    ManifestKinds.check("deploy/app/all.yaml", YamlReader.readAll(yaml));
  }

  private static String refused(String yaml) {
    return assertThrows(CiInputException.class, () -> check(yaml)).getMessage();
  }

  @Test
  void kubernetesAndPalisadeKindsAreApplied() {
    check("""
        apiVersion: v1
        kind: Service
        metadata: {name: api, namespace: shop}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: api, namespace: shop}
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: db, namespace: shop}
        ---
        apiVersion: palisade.dev/v1alpha1
        kind: SegmentationMode
        metadata: {name: shop, namespace: shop}
        spec: {mode: monitor}
        ---
        apiVersion: palisade.dev/v1alpha1
        kind: ApprovedGraph
        metadata: {name: shop, namespace: shop}
        spec: {edges: []}
        ---
        apiVersion: palisade.dev/v1alpha1
        kind: AccessRequest
        metadata: {name: r1, namespace: shop}
        ---
        apiVersion: policy.networking.k8s.io/v1alpha1
        kind: AdminNetworkPolicy
        metadata: {name: deny-db}
        ---
        apiVersion: v1
        kind: List
        items:
        - {apiVersion: v1, kind: ConfigMap, metadata: {name: c, namespace: shop}}
        """);
    assertEquals(null, ManifestKinds.problem(new io.fabric8.kubernetes.api.model.ConfigMap()));
  }

  @Test
  void anUnknownKindIsRefusedNamingFileDocumentAndKind() {
    String m = refused("""
        apiVersion: v1
        kind: Service
        metadata: {name: api}
        ---
        apiVersion: cert-manager.io/v1
        kind: Certificate
        metadata: {name: api-tls}
        """);
    assertTrue(m.startsWith("deploy/app/all.yaml: document 2: kind Certificate (apiVersion cert-manager.io/v1): "
        + "not a Kubernetes kind the lab knows"), m);
    m = refused("apiVersion: apps/v1\nkind: Deploymnet\nmetadata: {name: api}\n");
    assertTrue(m.contains("document 1: kind Deploymnet (apiVersion apps/v1)"), m);
  }

  @Test
  void aMisspeltPalisadeKindOrOneTheControllerWritesIsRefused() {
    String m = refused("apiVersion: palisade.dev/v1alpha1\nkind: ApprovedGraf\nmetadata: {name: x}\n");
    assertTrue(m.contains("kind ApprovedGraf (apiVersion palisade.dev/v1alpha1): not a kind of palisade.dev (known: "
        + "AccessRequest, ApprovedGraph, SegmentationMode)"), m);
    m = refused("apiVersion: palisade.dev/v1alpha1\nkind: AllowList\nmetadata: {name: x, namespace: shop}\n");
    assertTrue(m.contains("kind AllowList (apiVersion palisade.dev/v1alpha1): written by the Palisade controller"), m);
    m = refused("apiVersion: v1\nkind: List\nitems:\n- {apiVersion: example.com/v1, kind: Widget, metadata: {name: w}}\n");
    assertTrue(m.contains("document 1: kind Widget (apiVersion example.com/v1)"), m);
  }

  @Test
  void aDocumentThatIsNoObjectIsRefused() {
    String m = refused("just: a map\n");
    assertTrue(m.startsWith("deploy/app/all.yaml: document 1: not a Kubernetes object"), m);
  }
}
