package dev.palisade.cli;

import dev.palisade.controller.api.Principal;
import dev.palisade.controller.api.Role;
import dev.palisade.controller.api.StaticTokens;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Review-page users: one {@code TOKEN,NAME,ROLE[,NAMESPACES]} line each (ROLE viewer or approver;
 * NAMESPACES, space-separated, scope an approver to those namespaces; # comments), like the API
 * server's static token file. In a cluster the file comes from the Secret
 * palisade-users, so every controller replica knows the same tokens.
 */
final class UserTokens {
  private UserTokens() {}

  /** Adds the file's users to {@code tokens}; returns how many. Agents cannot be added this way. */
  static int load(Path file, StaticTokens tokens) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read user tokens " + file, e);
    }
    int n = 0;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] f = line.split(",", -1);
      String at = file + " line " + (i + 1);
      if (f.length != 3 && f.length != 4) {
        throw new IllegalArgumentException(at + ": expected TOKEN,NAME,ROLE[,NAMESPACES]");
      }
      java.util.Set<String> scope = new java.util.TreeSet<>();
      if (f.length == 4) {
        for (String ns : f[3].strip().split("\\s+")) {
          if (!ns.matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")) {
            throw new IllegalArgumentException(at + ": namespaces must be namespace names separated by spaces, not '"
                + ns + "'");
          }
          scope.add(ns);
        }
      }
      Role role = switch (f[2].strip().toLowerCase(Locale.ROOT)) {
        case "viewer" -> Role.VIEWER;
        case "approver" -> Role.APPROVER;
        default -> throw new IllegalArgumentException(at + ": role must be viewer or approver, not '" + f[2] + "'");
      };
      try {
        if (!scope.isEmpty() && role != Role.APPROVER) {
          throw new IllegalArgumentException("only an approver is scoped to namespaces (a viewer reads everything)");
        }
        tokens.add(f[0].strip(), new Principal(f[1].strip(), role, scope));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(at + ": " + e.getMessage(), e);
      }
      n++;
    }
    return n;
  }
}
