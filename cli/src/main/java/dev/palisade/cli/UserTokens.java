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
 * Review-page users: one {@code TOKEN,NAME,ROLE} line each (ROLE viewer or approver; # comments),
 * like the API server's static token file. In a cluster the file comes from the Secret
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
      if (f.length != 3) {
        throw new IllegalArgumentException(at + ": expected TOKEN,NAME,ROLE");
      }
      Role role = switch (f[2].strip().toLowerCase(Locale.ROOT)) {
        case "viewer" -> Role.VIEWER;
        case "approver" -> Role.APPROVER;
        default -> throw new IllegalArgumentException(at + ": role must be viewer or approver, not '" + f[2] + "'");
      };
      try {
        tokens.add(f[0].strip(), new Principal(f[1].strip(), role));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(at + ": " + e.getMessage(), e);
      }
      n++;
    }
    return n;
  }
}
