package dev.palisade.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/**
 * The version that `palisade --version` and `palisade version` print: the project's, from a
 * resource Maven filters at build time (in tests and in the shaded jar alike), never a literal
 * that a release forgets to bump. The Java runtime follows, since the agent's native access
 * depends on it.
 */
final class VersionProvider implements IVersionProvider {
  static final String RESOURCE = "/dev/palisade/cli/version.properties";

  @Override
  public String[] getVersion() {
    return new String[] {"palisade " + projectVersion(),
        "java " + Runtime.version() + " (" + System.getProperty("java.vendor") + "), " + System.getProperty("os.name")
            + " " + System.getProperty("os.arch")};
  }

  static String projectVersion() {
    try (InputStream in = VersionProvider.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the build");
      }
      Properties p = new Properties();
      p.load(in);
      String v = p.getProperty("version", "");
      if (v.isBlank() || v.contains("${")) {
        throw new IllegalStateException(RESOURCE + " was not filtered by Maven: version='" + v + "'");
      }
      return v;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
  }
}
