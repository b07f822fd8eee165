package dev.palisade.lab.kube.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Protobuf bodies built field by field as client-go's generated marshallers lay them out. */
class KubeProtobufTest {
  private static byte[] field(int number, byte[] value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write((number << 3) | 2);
    out.write(value.length);
    out.writeBytes(value);
    return out.toByteArray();
  }

  private static byte[] field(int number, String value) {
    return field(number, value.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  private static byte[] envelope(String kind, byte[] object) {
    byte[] typeMeta = concat(field(1, "authorization.k8s.io/v1"), field(2, kind));
    return concat(new byte[] {'k', '8', 's', 0}, field(1, typeMeta), field(2, object));
  }

  @Test
  void readsASelfSubjectAccessReview() {
    byte[] attributes = concat(field(2, "list"), field(3, "apps"), field(5, "replicasets"));
    byte[] spec = field(1, attributes);
    SelfSubjectAccessReview r = KubeProtobuf.selfSubjectAccessReview(
        envelope("SelfSubjectAccessReview", concat(field(1, new byte[0]), field(2, spec))));
    assertEquals("list", r.getSpec().getResourceAttributes().getVerb());
    assertEquals("apps", r.getSpec().getResourceAttributes().getGroup());
    assertEquals("replicasets", r.getSpec().getResourceAttributes().getResource());
    assertNull(r.getSpec().getResourceAttributes().getNamespace());
    assertNull(r.getSpec().getNonResourceAttributes());
  }

  @Test
  void refusesWhatIsNotKubernetesProtobuf() {
    assertThrows(IllegalArgumentException.class,
        () -> KubeProtobuf.selfSubjectAccessReview("{\"kind\":\"x\"}".getBytes(StandardCharsets.UTF_8)));
    assertThrows(IllegalArgumentException.class,
        () -> KubeProtobuf.tokenReview(new byte[] {'k', '8', 's', 0, 0x12, 0x7f}));
  }
}
