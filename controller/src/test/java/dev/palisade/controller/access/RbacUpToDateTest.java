package dev.palisade.controller.access;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** deploy/base's RBAC manifests must be what the generator makes of the declarations (run scripts/gen-rbac.sh). */
class RbacUpToDateTest {
  @Test
  void deployBaseRbacMatchesTheDeclarations() throws IOException {
    for (Map.Entry<String, String> f : RbacGenerator.files().entrySet()) {
      Path committed = Path.of("../deploy/base").resolve(f.getKey());
      String text = Files.isRegularFile(committed) ? Files.readString(committed) : "(missing)";
      assertEquals(f.getValue(), text, "deploy/base/" + f.getKey() + " differs from what AgentAccess and "
          + "ControllerAccess declare: run " + RbacGenerator.SCRIPT + ", then commit");
    }
  }
}
