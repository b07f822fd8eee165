package dev.palisade.lab.kube.auth;

import io.fabric8.kubernetes.api.model.authentication.BoundObjectReference;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestSpec;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewSpec;
import io.fabric8.kubernetes.api.model.authorization.v1.NonResourceAttributes;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceAttributes;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewSpec;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewSpec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the few request bodies kubectl sends as {@code application/vnd.kubernetes.protobuf}: its
 * typed clientset (used by {@code auth can-i}, {@code auth whoami}, {@code create token}) encodes
 * built-in kinds in protobuf, never JSON. Only the specs of the review and token APIs are read; the
 * answers go back as JSON, which client-go decodes by the response's Content-Type.
 *
 * <p>The encoding: the magic {@code k8s\0}, then a runtime.Unknown message whose field 2 holds the
 * object's own message (field numbers from k8s.io/api generated.proto). Pure; malformed input
 * throws IllegalArgumentException.
 */
public final class KubeProtobuf {
  private static final byte[] MAGIC = {0x6b, 0x38, 0x73, 0x00};

  private KubeProtobuf() {}

  /** One decoded message: field number to its values (Long for varints, byte[] for length-delimited). */
  static final class Message {
    private final Map<Integer, List<Object>> fields = new LinkedHashMap<>();

    static Message parse(byte[] bytes) {
      Message m = new Message();
      int[] pos = {0};
      while (pos[0] < bytes.length) {
        long key = varint(bytes, pos);
        int field = (int) (key >>> 3);
        int wire = (int) (key & 7);
        Object value = switch (wire) {
          case 0 -> varint(bytes, pos);
          case 1 -> skip(bytes, pos, 8);
          case 2 -> {
            int len = (int) varint(bytes, pos);
            yield skip(bytes, pos, len);
          }
          case 5 -> skip(bytes, pos, 4);
          default -> throw new IllegalArgumentException("unsupported protobuf wire type " + wire + " of field " + field);
        };
        m.fields.computeIfAbsent(field, f -> new ArrayList<>()).add(value);
      }
      return m;
    }

    String string(int field) {
      List<Object> v = fields.get(field);
      return v == null ? null : new String((byte[]) v.get(v.size() - 1), StandardCharsets.UTF_8);
    }

    List<String> strings(int field) {
      return fields.getOrDefault(field, List.of()).stream()
          .map(b -> new String((byte[]) b, StandardCharsets.UTF_8)).toList();
    }

    Message message(int field) {
      List<Object> v = fields.get(field);
      return v == null ? null : parse((byte[]) v.get(v.size() - 1));
    }

    List<Message> messages(int field) {
      return fields.getOrDefault(field, List.of()).stream().map(b -> parse((byte[]) b)).toList();
    }

    Long varint(int field) {
      List<Object> v = fields.get(field);
      return v == null ? null : (Long) v.get(v.size() - 1);
    }

    private static long varint(byte[] b, int[] pos) {
      long result = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        if (pos[0] >= b.length) {
          throw new IllegalArgumentException("truncated protobuf varint");
        }
        byte x = b[pos[0]++];
        result |= (long) (x & 0x7f) << shift;
        if ((x & 0x80) == 0) {
          return result;
        }
      }
      throw new IllegalArgumentException("protobuf varint longer than 64 bits");
    }

    private static byte[] skip(byte[] b, int[] pos, int len) {
      if (len < 0 || pos[0] + len > b.length) {
        throw new IllegalArgumentException("truncated protobuf field of " + len + " bytes");
      }
      byte[] out = Arrays.copyOfRange(b, pos[0], pos[0] + len);
      pos[0] += len;
      return out;
    }
  }

  /** The object message inside the {@code k8s\0} envelope. */
  static Message object(byte[] body) {
    if (body.length < MAGIC.length || !Arrays.equals(Arrays.copyOf(body, MAGIC.length), MAGIC)) {
      throw new IllegalArgumentException("not a Kubernetes protobuf body (no k8s\\0 prefix)");
    }
    Message unknown = Message.parse(Arrays.copyOfRange(body, MAGIC.length, body.length));
    Message raw = unknown.message(2);
    if (raw == null) {
      throw new IllegalArgumentException("a Kubernetes protobuf body without its object");
    }
    return raw;
  }

  /** SelfSubjectAccessReview: spec (2) = {resourceAttributes (1), nonResourceAttributes (2)}. */
  public static SelfSubjectAccessReview selfSubjectAccessReview(byte[] body) {
    Message spec = orEmpty(object(body).message(2));
    SelfSubjectAccessReview review = new SelfSubjectAccessReview();
    review.setSpec(new SelfSubjectAccessReviewSpec(nonResource(spec.message(2)), resource(spec.message(1))));
    return review;
  }

  /**
   * The spec of a SubjectAccessReview or LocalSubjectAccessReview: resourceAttributes (1),
   * nonResourceAttributes (2), user (3), groups (4), extra (5, map of ExtraValue), uid (6).
   */
  public static SubjectAccessReviewSpec subjectAccessReviewSpec(byte[] body) {
    Message spec = orEmpty(object(body).message(2));
    Map<String, List<String>> extra = new LinkedHashMap<>();
    for (Message entry : spec.messages(5)) {
      Message value = entry.message(2);
      extra.put(entry.string(1), value == null ? List.of() : value.strings(1));
    }
    SubjectAccessReviewSpec s = new SubjectAccessReviewSpec();
    s.setResourceAttributes(resource(spec.message(1)));
    s.setNonResourceAttributes(nonResource(spec.message(2)));
    s.setUser(spec.string(3));
    s.setGroups(spec.strings(4));
    s.setExtra(extra);
    s.setUid(spec.string(6));
    return s;
  }

  /** TokenReview: spec (2) = {token (1), audiences (2)}. */
  public static TokenReview tokenReview(byte[] body) {
    Message spec = orEmpty(object(body).message(2));
    TokenReview review = new TokenReview();
    review.setSpec(new TokenReviewSpec(spec.strings(2), spec.string(1)));
    return review;
  }

  /**
   * TokenRequest: spec (2) = {audiences (1), boundObjectRef (3) = {kind (1), apiVersion (2), name
   * (3), uid (4)}, expirationSeconds (4)}.
   */
  public static TokenRequest tokenRequest(byte[] body) {
    Message spec = orEmpty(object(body).message(2));
    TokenRequestSpec s = new TokenRequestSpec();
    s.setAudiences(spec.strings(1));
    s.setExpirationSeconds(spec.varint(4));
    Message ref = spec.message(3);
    if (ref != null) {
      s.setBoundObjectRef(new BoundObjectReference(ref.string(2), ref.string(1), ref.string(3), ref.string(4)));
    }
    TokenRequest request = new TokenRequest();
    request.setSpec(s);
    return request;
  }

  /** ResourceAttributes: namespace 1, verb 2, group 3, version 4, resource 5, subresource 6, name 7. */
  private static ResourceAttributes resource(Message m) {
    if (m == null) {
      return null;
    }
    ResourceAttributes a = new ResourceAttributes();
    a.setNamespace(m.string(1));
    a.setVerb(m.string(2));
    a.setGroup(m.string(3));
    a.setVersion(m.string(4));
    a.setResource(m.string(5));
    a.setSubresource(m.string(6));
    a.setName(m.string(7));
    return a;
  }

  /** NonResourceAttributes: path 1, verb 2. */
  private static NonResourceAttributes nonResource(Message m) {
    return m == null ? null : new NonResourceAttributes(m.string(1), m.string(2));
  }

  private static Message orEmpty(Message m) {
    return m == null ? Message.parse(new byte[0]) : m;
  }
}
