package dev.palisade.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;

/**
 * Where the review commands find a controller when neither a flag nor the environment names one, as
 * kubectl finds its current context: {@code palisade lab up} writes the lab's controller URL, the
 * file holding its approver token and the lab CA's certificate, {@code lab down} removes them. The file is
 * {@code ~/.palisade/context.properties}, or {@code $PALISADE_CONTEXT}.
 */
record CliContext(String url, Path tokenFile, Path ca) {
  /** A context without a CA file (a controller with a publicly trusted certificate, or plain HTTP). */
  CliContext(String url, Path tokenFile) {
    this(url, tokenFile, null);
  }

  static Path file() {
    String override = System.getenv("PALISADE_CONTEXT");
    return override != null && !override.isBlank() ? Path.of(override)
        : Path.of(System.getProperty("user.home"), ".palisade", "context.properties");
  }

  static Optional<CliContext> current() {
    Path f = file();
    if (!Files.isRegularFile(f)) {
      return Optional.empty();
    }
    Properties p = new Properties();
    try (var in = Files.newInputStream(f)) {
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the CLI context " + f, e);
    }
    String url = p.getProperty("url");
    String token = p.getProperty("tokenFile");
    if (url == null || token == null) {
      throw new IllegalStateException("the CLI context " + f + " lacks url or tokenFile: remove it or run "
          + "`palisade lab up` again");
    }
    String ca = p.getProperty("ca");
    return Optional.of(new CliContext(url, Path.of(token), ca == null || ca.isBlank() ? null : Path.of(ca)));
  }

  void write() {
    Properties p = new Properties();
    p.setProperty("url", url);
    p.setProperty("tokenFile", tokenFile.toString());
    if (ca != null) {
      p.setProperty("ca", ca.toString());
    }
    Path f = file();
    try {
      Files.createDirectories(f.getParent());
      try (var out = Files.newOutputStream(f)) {
        p.store(out, "palisade CLI context (written by `palisade lab up`)");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the CLI context " + f, e);
    }
  }

  /** Removes the context if it points at this URL (a context the user set elsewhere stays). */
  static void removeIfFor(String url) {
    try {
      if (current().map(c -> c.url().equals(url)).orElse(false)) {
        Files.deleteIfExists(file());
      }
    } catch (IOException | RuntimeException e) {
      // a context we cannot read is not ours to remove
    }
  }
}
