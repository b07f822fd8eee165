package dev.palisade.model.crd;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The CRD's pattern for an edge's end: what the API server lets through before any reader looks. */
class ApprovedGraphSpecTest {
  private static final Pattern END = Pattern.compile(ApprovedGraphSpec.END);

  @Test
  void theEndPatternTakesWorkloadsNamesPatternsAddressesCidrsAndWorld() {
    for (String ok : List.of("shop/Deployment/web", "kube-system/DaemonSet/a.b", "world", "dns:api.payments.example",
        "dns:*.s3.example", "dns:_srv.a-b.example", "203.0.113.7", "203.0.113.0/24", "10.0.0.0/8", "0.0.0.0/0")) {
      assertTrue(END.matcher(ok).matches(), ok);
    }
    for (String bad : List.of("shop/web", "host", "unknown", "World", "dns:", "dns:example", "dns:API.example",
        "dns:a.*.example", "dns:*example.com", "api.payments.example", "203.0.113.300", "203.0.113", "203.0.113.0/33",
        "cidr:203.0.113.0/24", "203.0.113.0/24 ", "shop/Deployment/web\nworld")) {
      assertFalse(END.matcher(bad).matches(), bad);
    }
  }
}
