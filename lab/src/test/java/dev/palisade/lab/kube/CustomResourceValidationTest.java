package dev.palisade.lab.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.model.crd.AllowList;
import dev.palisade.model.crd.AllowListSpec;
import dev.palisade.model.crd.SegmentationMode;
import dev.palisade.model.crd.SegmentationModeSpec;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Custom resources written to the lab API server are checked against their CRD's schema as
 * kube-apiserver checks them: the generated Palisade CRDs without any CRD object stored, CRDs
 * created through the API otherwise; refusals are 422 Status naming each field, and nothing is
 * stored; unknown fields are pruned, or refused under fieldValidation=Strict.
 */
class CustomResourceValidationTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String ALLOWLISTS = "/apis/palisade.dev/v1alpha1/namespaces/shop/allowlists";
  private static final String MODES = "/apis/palisade.dev/v1alpha1/namespaces/shop/segmentationmodes";
  private static final String CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .sslContext(trustingTheLabsOwnCertificate()).build();

  /** The lab serves HTTPS with a certificate made at start (kubeconfigs say insecure-skip-tls-verify). */
  private static javax.net.ssl.SSLContext trustingTheLabsOwnCertificate() {
    try {
      javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
      // an X509ExtendedTrustManager, so that the JDK does not check the (absent) host name either
      ctx.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509ExtendedTrustManager() {
        @Override public void checkClientTrusted(java.security.cert.X509Certificate[] c, String a) {}
        @Override public void checkServerTrusted(java.security.cert.X509Certificate[] c, String a) {}
        @Override public void checkClientTrusted(java.security.cert.X509Certificate[] c, String a, java.net.Socket s) {}
        @Override public void checkServerTrusted(java.security.cert.X509Certificate[] c, String a, java.net.Socket s) {}
        @Override public void checkClientTrusted(java.security.cert.X509Certificate[] c, String a,
            javax.net.ssl.SSLEngine e) {}
        @Override public void checkServerTrusted(java.security.cert.X509Certificate[] c, String a,
            javax.net.ssl.SSLEngine e) {}
        @Override public java.security.cert.X509Certificate[] getAcceptedIssuers() {
          return new java.security.cert.X509Certificate[0];
        }
      }}, null);
      return ctx;
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
  private LabApiServer api;

  record Answer(int code, JsonNode body, HttpResponse<String> raw) {}

  @BeforeAll
  static void quietMockServer() {
    java.util.logging.Logger.getLogger("io.fabric8.mockwebserver").setLevel(java.util.logging.Level.WARNING);
  }

  @BeforeEach
  void start() {
    api = LabApiServer.start();
    api.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("shop").endMetadata().build())
        .create();
  }

  @AfterEach
  void stop() {
    api.close();
  }

  private Answer send(String method, String path, String contentType, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(api.url() + path)).timeout(java.time.Duration.ofSeconds(20))
        .header("Authorization", "Bearer " + api.adminToken());
    b = body == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
        : b.header("Content-Type", contentType).method(method, HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(r.statusCode(), r.body().isBlank() ? null : JSON.readTree(r.body()), r);
  }

  private Answer post(String path, String body) throws Exception {
    return send("POST", path, "application/json", body);
  }

  private Answer get(String path) throws Exception {
    return send("GET", path, null, null);
  }

  private static String allowList(String name, String spec) {
    return """
        {"apiVersion":"palisade.dev/v1alpha1","kind":"AllowList","metadata":{"name":"%s","namespace":"shop"},"spec":%s}"""
        .formatted(name, spec);
  }

  private static String mode(String name, String spec) {
    return """
        {"apiVersion":"palisade.dev/v1alpha1","kind":"SegmentationMode","metadata":{"name":"%s","namespace":"shop"},"spec":%s}"""
        .formatted(name, spec);
  }

  private static void assertInvalid(Answer a, String kind, String name, String field, String reason, String message) {
    assertEquals(422, a.code(), () -> a.raw().body());
    assertEquals("Status", a.body().path("kind").asString());
    assertEquals("Invalid", a.body().path("reason").asString());
    assertEquals(kind, a.body().path("details").path("kind").asString());
    assertEquals(name, a.body().path("details").path("name").asString());
    JsonNode cause = a.body().path("details").path("causes").get(0);
    assertEquals(field, cause.path("field").asString(), () -> a.raw().body());
    assertEquals(reason, cause.path("reason").asString());
    assertEquals(message, a.body().path("message").asString());
  }

  @Test
  void validObjectsAreStoredAsWritten() throws Exception {
    String spec = """
        {"identity":7,"revision":3,"revisionSize":1,"mode":"enforce",\
        "ingress":[{"peerIdentity":9,"protocol":"TCP","ports":"80-81"},{"peerCidr":"10.0.0.0/8","except":["10.1.0.0/16"]}]}""";
    assertEquals(201, post(ALLOWLISTS, allowList("web", spec)).code());
    assertEquals(JSON.readTree(spec), get(ALLOWLISTS + "/web").body().path("spec"));
    assertEquals(201, post(MODES, mode("shop", "{\"mode\":\"monitor\"}")).code());
  }

  @Test
  void aWrongTypeIsRefusedWith422NamingTheFieldAndNothingIsStored() throws Exception {
    Answer a = post(ALLOWLISTS, allowList("web", "{\"identity\":\"seven\",\"revision\":1}"));
    assertInvalid(a, "AllowList", "web", "spec.identity", "FieldValueInvalid",
        "AllowList.palisade.dev \"web\" is invalid: spec.identity: Invalid value: \"string\": "
            + "spec.identity in body must be of type integer: \"string\"");
    assertEquals(404, get(ALLOWLISTS + "/web").code());

    Answer nested = post(ALLOWLISTS, allowList("db", "{\"ingress\":[{\"ports\":\"80\"},{\"peerIdentity\":\"x\"}]}"));
    assertInvalid(nested, "AllowList", "db", "spec.ingress[1].peerIdentity", "FieldValueInvalid",
        "AllowList.palisade.dev \"db\" is invalid: spec.ingress[1].peerIdentity: Invalid value: \"string\": "
            + "spec.ingress[1].peerIdentity in body must be of type integer: \"string\"");
    assertEquals(404, get(ALLOWLISTS + "/db").code());
  }

  @Test
  void everyInvalidFieldIsNamed() throws Exception {
    Answer a = post(ALLOWLISTS, allowList("web", "{\"identity\":true,\"mode\":3}"));
    assertEquals(422, a.code());
    List<String> fields = a.body().path("details").path("causes").valueStream().map(c -> c.path("field").asString())
        .sorted().toList();
    assertEquals(List.of("spec.identity", "spec.mode"), fields);
    assertTrue(a.body().path("message").asString().startsWith("AllowList.palisade.dev \"web\" is invalid: [spec."),
        a.body().path("message").asString());
  }

  /** A stored CRD comes before the generated one: here SegmentationMode with an enum and a required field. */
  @Test
  void aStoredCrdChecksEnumsAndRequiredFields() throws Exception {
    assertEquals(201, post(CRDS, segmentationModeCrd()).code());

    Answer badEnum = post(MODES, mode("shop", "{\"mode\":\"enforcing\"}"));
    assertInvalid(badEnum, "SegmentationMode", "shop", "spec.mode", "FieldValueNotSupported",
        "SegmentationMode.palisade.dev \"shop\" is invalid: spec.mode: Unsupported value: \"enforcing\": "
            + "supported values: \"learn\", \"monitor\", \"enforce\"");
    Answer missing = post(MODES, mode("shop", "{\"workload\":\"Deployment/web\"}"));
    assertInvalid(missing, "SegmentationMode", "shop", "spec.mode", "FieldValueRequired",
        "SegmentationMode.palisade.dev \"shop\" is invalid: spec.mode: Required value");
    assertEquals(404, get(MODES + "/shop").code());

    assertEquals(201, post(MODES, mode("shop", "{\"mode\":\"enforce\"}")).code());
    assertEquals("enforce", get(MODES + "/shop").body().path("spec").path("mode").asString());
  }

  /** Our own generated CRD (no CRD object stored): a mode typo or no mode never reaches the controller. */
  @Test
  void theGeneratedSegmentationModeCrdRefusesATypoAndAMissingMode() throws Exception {
    Answer typo = post(MODES, mode("shop", "{\"mode\":\"enforcing\"}"));
    assertEquals(422, typo.code(), () -> typo.raw().body());
    assertEquals("spec.mode", typo.body().path("details").path("causes").get(0).path("field").asString(),
        () -> typo.raw().body());
    assertTrue(typo.body().path("message").asString().contains("enforcing"), () -> typo.raw().body());
    Answer none = post(MODES, mode("shop", "{\"workload\":\"Deployment/web\"}"));
    assertEquals(422, none.code(), () -> none.raw().body());
    assertTrue(none.body().path("message").asString().contains("spec.mode: Required value"), () -> none.raw().body());
    Answer badWorkload = post(MODES, mode("shop", "{\"mode\":\"learn\",\"workload\":[\"StatefulSet/db\"]}"));
    assertEquals(422, badWorkload.code(), () -> badWorkload.raw().body());
    assertEquals(404, get(MODES + "/shop").code(), "nothing stored");
    assertEquals(201, post(MODES, mode("shop", "{\"mode\":\"enforce\",\"workload\":\"StatefulSet/db\"}")).code());
  }

  @Test
  void aCrdOfAnotherGroupCreatedThroughTheApiIsEnforcedAndKindsWithoutOneAreNot() throws Exception {
    String widget = """
        {"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w","namespace":"shop"},"spec":{"size":"big"}}""";
    String widgets = "/apis/example.com/v1/namespaces/shop/widgets";
    assertEquals(201, post(CRDS, """
        {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"widgets.example.com"},
         "spec":{"group":"example.com","scope":"Namespaced","names":{"kind":"Widget","plural":"widgets"},
          "versions":[{"name":"v1","served":true,"storage":true,"schema":{"openAPIV3Schema":{"type":"object",
           "properties":{"spec":{"type":"object","properties":{"size":{"type":"integer","minimum":1},
            "nickname":{"type":"string","nullable":true},
            "port":{"x-kubernetes-int-or-string":true},
            "extra":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}}}}}]}}""").code());
    assertInvalid(post(widgets, widget), "Widget", "w", "spec.size", "FieldValueInvalid",
        "Widget.example.com \"w\" is invalid: spec.size: Invalid value: \"string\": "
            + "spec.size in body must be of type integer: \"string\"");
    assertEquals(422, post(widgets, widget.replace("\"big\"", "0")).code(), "minimum");
    assertEquals(201, post(widgets, widget.replace("\"big\"",
        "2,\"nickname\":null,\"port\":\"http\",\"extra\":{\"anything\":{\"goes\":[1]}}")).code());
    JsonNode stored = get(widgets + "/w").body().path("spec");
    assertTrue(stored.path("nickname").isNull(), "nullable keeps its null: " + stored);
    assertEquals("http", stored.path("port").asString());
    assertEquals(1, stored.path("extra").path("anything").path("goes").get(0).asInt(), "preserved: " + stored);

    String gadget = widget.replace("example.com", "gadgets.example").replace("Widget", "Gadget");
    assertEquals(201, post("/apis/gadgets.example/v1/namespaces/shop/gadgets", gadget).code(), "no CRD: stored as is");
  }

  @Test
  void anUpdateOrPatchWithABadValueLeavesTheStoredObjectUnchanged() throws Exception {
    assertEquals(201, post(ALLOWLISTS, allowList("web", "{\"identity\":7,\"ingress\":[{\"ports\":\"80\"}]}")).code());
    JsonNode before = get(ALLOWLISTS + "/web").body();

    String put = JSON.writeValueAsString(((tools.jackson.databind.node.ObjectNode) before.deepCopy())
        .set("spec", JSON.readTree("{\"identity\":\"seven\"}")));
    assertInvalid(send("PUT", ALLOWLISTS + "/web", "application/json", put), "AllowList", "web", "spec.identity",
        "FieldValueInvalid", "AllowList.palisade.dev \"web\" is invalid: spec.identity: Invalid value: \"string\": "
            + "spec.identity in body must be of type integer: \"string\"");
    Answer merge = send("PATCH", ALLOWLISTS + "/web", "application/merge-patch+json",
        "{\"spec\":{\"ingress\":[{\"ports\":80}]}}");
    assertEquals(422, merge.code(), merge.raw().body());
    assertEquals("spec.ingress[0].ports", merge.body().path("details").path("causes").get(0).path("field").asString());
    Answer jsonPatch = send("PATCH", ALLOWLISTS + "/web", "application/json-patch+json",
        "[{\"op\":\"add\",\"path\":\"/spec/revision\",\"value\":\"one\"}]");
    assertEquals(422, jsonPatch.code(), jsonPatch.raw().body());
    assertEquals("spec.revision", jsonPatch.body().path("details").path("causes").get(0).path("field").asString());
    assertEquals(before, get(ALLOWLISTS + "/web").body());

    Answer good = send("PATCH", ALLOWLISTS + "/web", "application/json-patch+json",
        "[{\"op\":\"add\",\"path\":\"/spec/revision\",\"value\":2}]");
    assertEquals(2, good.code() / 100, good.raw().body());
    assertEquals(2, get(ALLOWLISTS + "/web").body().path("spec").path("revision").asInt());
  }

  @Test
  void unknownFieldsArePrunedByDefaultAndRefusedUnderStrictFieldValidation() throws Exception {
    String spec = "{\"identity\":7,\"colour\":\"blue\",\"ingress\":[{\"ports\":\"80\",\"portz\":\"81\"}]}";
    Answer strict = post(ALLOWLISTS + "?fieldValidation=Strict", allowList("web", spec));
    assertEquals(400, strict.code(), strict.raw().body());
    assertEquals("BadRequest", strict.body().path("reason").asString());
    assertEquals("AllowList in version \"v1alpha1\" cannot be handled as a AllowList: strict decoding error: "
        + "unknown field \"spec.colour\", unknown field \"spec.ingress[0].portz\"", strict.body().path("message").asString());
    assertEquals(404, get(ALLOWLISTS + "/web").code());

    Answer lenient = post(ALLOWLISTS, allowList("web", spec));
    assertEquals(201, lenient.code(), lenient.raw().body());
    assertEquals(List.of("299 - \"unknown field \\\"spec.colour\\\"\"", "299 - \"unknown field \\\"spec.ingress[0].portz\\\"\""),
        lenient.raw().headers().allValues("Warning"));
    assertEquals(JSON.readTree("{\"identity\":7,\"ingress\":[{\"ports\":\"80\"}]}"),
        get(ALLOWLISTS + "/web").body().path("spec"));

    Answer ignored = post(ALLOWLISTS + "?fieldValidation=Ignore", allowList("db", spec));
    assertEquals(201, ignored.code());
    assertEquals(List.of(), ignored.raw().headers().allValues("Warning"));
    assertFalse(get(ALLOWLISTS + "/db").body().path("spec").has("colour"));

    Answer strictPatch = send("PATCH", ALLOWLISTS + "/db?fieldValidation=Strict", "application/merge-patch+json",
        "{\"spec\":{\"colour\":\"red\"}}");
    assertEquals(400, strictPatch.code(), strictPatch.raw().body());
  }

  /** What the controller and agents do: typed objects through a fabric8 client, nulls for unset fields. */
  @Test
  void aFabric8ClientGetsItsObjectsBackAndA422AsKubernetesClientException() {
    AllowList al = new AllowList();
    al.setMetadata(new ObjectMetaBuilder().withName("deployment-web").withNamespace("shop").build());
    AllowListSpec spec = new AllowListSpec();
    spec.identity = 300;
    spec.revision = 4;
    spec.revisionSize = 2;
    spec.mode = "enforce";
    AllowListSpec.Rule rule = new AllowListSpec.Rule();
    rule.peerCidr = "10.0.0.0/8";
    rule.except = List.of("10.1.0.0/16");
    rule.protocol = "TCP";
    rule.ports = "443";
    spec.ingress = List.of(rule);
    al.setSpec(spec);
    api.client().resources(AllowList.class).inNamespace("shop").resource(al).create();
    AllowList stored = api.client().resources(AllowList.class).inNamespace("shop").withName("deployment-web").get();
    assertEquals(300, stored.getSpec().identity);
    assertEquals("443", stored.getSpec().ingress.get(0).ports);
    assertEquals(List.of("10.1.0.0/16"), stored.getSpec().ingress.get(0).except);

    String bad = allowList("deployment-db", "{\"identity\":\"300\"}");
    KubernetesClientException e = assertThrows(KubernetesClientException.class,
        () -> api.client().resource(bad).inNamespace("shop").create());
    assertEquals(422, e.getCode(), e.getMessage());
    assertEquals("spec.identity", e.getStatus().getDetails().getCauses().get(0).getField());
    assertTrue(e.getMessage().contains("spec.identity in body must be of type integer"), e.getMessage());

    SegmentationMode m = new SegmentationMode();
    m.setMetadata(new ObjectMetaBuilder().withName("shop").withNamespace("shop").build());
    m.setSpec(new SegmentationModeSpec());
    m.getSpec().mode = "learn";
    api.client().resources(SegmentationMode.class).inNamespace("shop").resource(m).create();
    assertEquals("learn", api.client().resources(SegmentationMode.class).inNamespace("shop").withName("shop").get()
        .getSpec().mode);
  }

  private static String segmentationModeCrd() {
    return """
        {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
         "metadata":{"name":"segmentationmodes.palisade.dev"},
         "spec":{"group":"palisade.dev","scope":"Namespaced",
          "names":{"kind":"SegmentationMode","plural":"segmentationmodes","shortNames":["psm"]},
          "versions":[{"name":"v1alpha1","served":true,"storage":true,"schema":{"openAPIV3Schema":{"type":"object",
           "properties":{"spec":{"type":"object","required":["mode"],"properties":{
            "mode":{"type":"string","enum":["learn","monitor","enforce"]},"workload":{"type":"string"}}},
            "status":{"type":"object"}}}}}]}}""";
  }
}
