package dev.palisade.lab.kube.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Requests parsed into RBAC attributes as kube-apiserver's RequestInfoFactory parses them. */
class RequestInfoTest {
  @ParameterizedTest(name = "{0} {1} -> {2}")
  @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
      # method | target                                                  | verb | group | resource | sub | namespace | name
      GET    | /api/v1/pods                                               | list             | ''   | pods        | ''     | ''   | ''
      GET    | /api/v1/pods?watch=true&resourceVersion=5                  | watch            | ''   | pods        | ''     | ''   | ''
      GET    | /api/v1/namespaces/a/pods?watch=1                          | watch            | ''   | pods        | ''     | a    | ''
      GET    | /api/v1/namespaces/a/pods?watch=false                      | list             | ''   | pods        | ''     | a    | ''
      GET    | /api/v1/namespaces/a/pods/p                                | get              | ''   | pods        | ''     | a    | p
      GET    | /api/v1/namespaces/a/pods?fieldSelector=metadata.name%3Dp&watch=true | watch | ''   | pods        | ''     | a    | p
      POST   | /api/v1/namespaces/a/pods                                  | create           | ''   | pods        | ''     | a    | ''
      PUT    | /api/v1/namespaces/a/pods/p/status                         | update           | ''   | pods        | status | a    | p
      PATCH  | /apis/apps/v1/namespaces/a/deployments/d/scale             | patch            | apps | deployments | scale  | a    | d
      DELETE | /apis/apps/v1/namespaces/a/deployments/d                   | delete           | apps | deployments | ''     | a    | d
      DELETE | /apis/apps/v1/namespaces/a/deployments                     | deletecollection | apps | deployments | ''     | a    | ''
      POST   | /api/v1/namespaces/a/serviceaccounts/sa/token              | create           | ''   | serviceaccounts | token | a  | sa
      GET    | /api/v1/namespaces                                         | list             | ''   | namespaces  | ''     | ''   | ''
      GET    | /api/v1/namespaces/a                                       | get              | ''   | namespaces  | ''     | a    | a
      PUT    | /api/v1/namespaces/a/finalize                              | update           | ''   | namespaces  | finalize | a  | a
      GET    | /api/v1/nodes/n1                                           | get              | ''   | nodes       | ''     | ''   | n1
      GET    | /apis/palisade.dev/v1alpha1/allowlists                     | list             | palisade.dev | allowlists | '' | '' | ''
      POST   | /apis/authorization.k8s.io/v1/selfsubjectaccessreviews     | create           | authorization.k8s.io | selfsubjectaccessreviews | '' | '' | ''
      GET    | /api/v1/watch/namespaces/a/pods                            | watch            | ''   | pods        | ''     | a    | ''
      """)
  void resourceRequests(String method, String target, String verb, String group, String resource, String sub,
      String namespace, String name) {
    RequestInfo info = RequestInfo.parse(method, target);
    assertEquals(true, info.resourceRequest(), target);
    assertEquals(verb, info.verb(), "verb of " + target);
    assertEquals(group, info.apiGroup(), "group of " + target);
    assertEquals(resource, info.resource(), "resource of " + target);
    assertEquals(sub, info.subresource(), "subresource of " + target);
    assertEquals(namespace, info.namespace(), "namespace of " + target);
    assertEquals(name, info.name(), "name of " + target);
  }

  @ParameterizedTest(name = "{0} {1} is a non-resource request")
  @CsvSource(delimiter = '|', textBlock = """
      GET  | /api              | get  | /api
      GET  | /api/v1           | get  | /api/v1
      GET  | /apis             | get  | /apis
      GET  | /apis/apps        | get  | /apis/apps
      GET  | /apis/apps/v1     | get  | /apis/apps/v1
      GET  | /version?timeout=32s | get | /version
      GET  | /openapi/v3/apis/apps/v1?hash=x | get | /openapi/v3/apis/apps/v1
      POST | /healthz          | post | /healthz
      """)
  void nonResourceRequests(String method, String target, String verb, String path) {
    RequestInfo info = RequestInfo.parse(method, target);
    assertEquals(false, info.resourceRequest(), target);
    assertEquals(verb, info.verb());
    assertEquals(path, info.path());
  }
}
