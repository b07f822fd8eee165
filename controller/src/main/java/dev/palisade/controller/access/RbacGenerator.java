package dev.palisade.controller.access;

import dev.palisade.dataplane.agent.AgentAccess;
import dev.palisade.model.access.KubeAccess;
import dev.palisade.model.access.RbacYaml;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes deploy/base's RBAC manifests from the components' declarations ({@link AgentAccess},
 * {@link ControllerAccess}). Run by {@code scripts/gen-rbac.sh}; RbacUpToDateTest fails when the
 * committed files differ from what this writes now. It lives in the controller module because
 * that is the lowest one that sees both declarations.
 */
public final class RbacGenerator {
  public static final String SCRIPT = "scripts/gen-rbac.sh";

  private RbacGenerator() {}

  /** File name in deploy/base -> its text. */
  public static Map<String, String> files() {
    Map<String, String> out = new LinkedHashMap<>();
    out.put("rbac-agent.yaml", yaml(AgentAccess.DECLARED, AgentAccess.class));
    out.put("rbac-controller.yaml", yaml(ControllerAccess.DECLARED, ControllerAccess.class));
    return out;
  }

  private static String yaml(KubeAccess access, Class<?> declaredIn) {
    return RbacYaml.write(access, SCRIPT, declaredIn.getName());
  }

  /** Usage: RbacGenerator DIR (deploy/base). */
  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: RbacGenerator DIR   (writes " + String.join(", ", files().keySet()) + " into DIR)");
      System.exit(2);
    }
    Path dir = Path.of(args[0]);
    if (!Files.isDirectory(dir)) {
      throw new IOException(dir + " is not a directory (expected deploy/base)");
    }
    for (Map.Entry<String, String> f : files().entrySet()) {
      Files.writeString(dir.resolve(f.getKey()), f.getValue(), StandardCharsets.UTF_8);
      System.out.println(dir.resolve(f.getKey()));
    }
  }
}
