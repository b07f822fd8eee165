package dev.palisade.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.controller.api.Principal;
import dev.palisade.controller.api.Role;
import dev.palisade.controller.api.StaticTokens;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UserTokensTest {
  private static final String T1 = "a".repeat(32);
  private static final String T2 = "b".repeat(32);
  private static final String T3 = "c".repeat(32);

  @Test
  void approversMayBeScopedToNamespaces(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("tokens");
    Files.writeString(f, "# users\n" + T1 + ",alice,approver\n" + T2 + ",carol,approver,shop payments\n" + T3
        + ",bob,viewer\n");
    StaticTokens tokens = new StaticTokens();
    assertEquals(3, UserTokens.load(f, tokens));
    assertEquals(Optional.of(new Principal("alice", Role.APPROVER)), tokens.authenticate(T1));
    assertEquals(Optional.of(new Principal("carol", Role.APPROVER, Set.of("shop", "payments"))), tokens.authenticate(T2));
    assertTrue(tokens.authenticate(T1).orElseThrow().clusterWide());
  }

  @Test
  void aBadScopeNamesTheLine(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("tokens");
    Files.writeString(f, T1 + ",alice,approver,Shop\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> UserTokens.load(f, new StaticTokens()));
    assertTrue(e.getMessage().contains("line 1") && e.getMessage().contains("'Shop'"), e.getMessage());
    Files.writeString(f, T1 + ",bob,viewer,shop\n");
    e = assertThrows(IllegalArgumentException.class, () -> UserTokens.load(f, new StaticTokens()));
    assertTrue(e.getMessage().contains("only an approver is scoped"), e.getMessage());
  }
}
