package dev.palisade.lab.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The project's deploy/ tree as the build packed it into the lab's jar (resource folder
 * {@code palisade-deploy}), copied out to a directory so the kustomize renderer can read it. The lab
 * sets Palisade up from exactly these manifests, so the RBAC, CRDs and command lines a cluster gets
 * are the ones the lab tries.
 */
public final class DeployBundle {
  private static final String ROOT = "palisade-deploy";

  private DeployBundle() {}

  /** Copies the bundled deploy/ tree into {@code to} (created) and returns {@code to}. */
  public static Path extract(Path to) {
    URL marker = DeployBundle.class.getClassLoader().getResource(ROOT + "/base/kustomization.yaml");
    if (marker == null) {
      throw new IllegalStateException("the deploy/ manifests are not on the classpath (" + ROOT
          + "/): rebuild the jar with `mvn -DskipTests package`");
    }
    try {
      URI uri = marker.toURI();
      if (uri.getScheme().equals("jar")) {
        FileSystem fs;
        try {
          fs = FileSystems.newFileSystem(uri, Map.of());
        } catch (FileSystemAlreadyExistsException e) {
          fs = FileSystems.getFileSystem(uri);
        }
        copyTree(fs.getPath("/" + ROOT), to);
      } else {
        copyTree(Path.of(uri).getParent().getParent(), to);
      }
      return to;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot copy the deploy/ manifests to " + to, e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    List<Path> all;
    try (Stream<Path> s = Files.walk(from)) {
      all = s.toList();
    }
    for (Path p : all) {
      Path target = to.resolve(from.relativize(p).toString());
      if (Files.isDirectory(p)) {
        Files.createDirectories(target);
      } else {
        Files.createDirectories(target.getParent());
        Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }
}
