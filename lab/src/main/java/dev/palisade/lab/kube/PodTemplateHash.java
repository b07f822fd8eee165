package dev.palisade.lab.kube;

import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code pod-template-hash} of a pod template, as the deployment controller names its
 * ReplicaSets: FNV-1a (32 bit) over the template, printed in decimal and spelled with the
 * vowel-free alphabet Kubernetes uses so that names never form words. The template is hashed as
 * canonical JSON (keys sorted) so that the same template always gives the same hash, whatever the
 * order its maps were read in.
 */
public final class PodTemplateHash {
  /** Kubernetes' {@code rand.SafeEncodeString} alphabet: no vowels, no 0/1/3 (look like letters). */
  static final String ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
  public static final String LABEL = "pod-template-hash";
  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  private PodTemplateHash() {}

  public static String of(PodTemplateSpec template) {
    Object tree = JSON.convertValue(template, Object.class);
    if (tree instanceof Map<?, ?> map && map.get("metadata") instanceof Map<?, ?> meta
        && meta.get("labels") instanceof Map<?, ?> labels && labels.containsKey(LABEL)) {
      // A template that already carries its hash (a ReplicaSet's) hashes as the Deployment's does.
      Map<Object, Object> copy = new TreeMap<>(labels);
      copy.remove(LABEL);
      @SuppressWarnings("unchecked")
      Map<Object, Object> m = (Map<Object, Object>) meta;
      m.put("labels", copy);
    }
    StringBuilder canonical = new StringBuilder();
    write(tree, canonical);
    return encode(fnv1a32(canonical.toString()));
  }

  /** A short stable name suffix for any text (EndpointSlice names). */
  static String of(String text) {
    return encode(fnv1a32(text));
  }

  static long fnv1a32(String text) {
    long hash = 0x811c9dc5L;
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      hash ^= (b & 0xff);
      hash = (hash * 0x01000193L) & 0xffffffffL;
    }
    return hash;
  }

  static String encode(long hash) {
    String decimal = Long.toString(hash);
    StringBuilder out = new StringBuilder(decimal.length());
    for (char c : decimal.toCharArray()) {
      out.append(ALPHABET.charAt(c % ALPHABET.length()));
    }
    return out.toString();
  }

  private static void write(Object node, StringBuilder out) {
    if (node instanceof Map<?, ?> map) {
      Map<String, Object> sorted = new TreeMap<>();
      map.forEach((k, v) -> sorted.put(String.valueOf(k), v));
      out.append('{');
      sorted.forEach((k, v) -> {
        if (v != null) {
          out.append('"').append(k).append("\":");
          write(v, out);
          out.append(',');
        }
      });
      out.append('}');
    } else if (node instanceof List<?> list) {
      out.append('[');
      list.forEach(v -> {
        write(v, out);
        out.append(',');
      });
      out.append(']');
    } else if (node instanceof String s) {
      out.append('"').append(s.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
    } else {
      out.append(node);
    }
  }
}
