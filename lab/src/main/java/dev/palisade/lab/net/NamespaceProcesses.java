package dev.palisade.lab.net;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Finds and kills the processes inside named network namespaces, as {@code ip netns pids} finds
 * them (a process whose {@code /proc/PID/ns/net} is the namespace's inode), but for many
 * namespaces in one pass over {@code /proc}: the reaper of a lab killed with -9, whose pods'
 * programs would otherwise keep running in namespaces nobody can name any more.
 */
public final class NamespaceProcesses {
  private NamespaceProcesses() {}

  /** Pids of the processes inside any of these namespaces (names under /run/netns); never this JVM. */
  public static List<Long> in(Collection<String> netnsNames) {
    Set<Object> inodes = new HashSet<>();
    for (String name : netnsNames) {
      try {
        inodes.add(Files.getAttribute(Path.of("/run/netns", name), "unix:ino"));
      } catch (IOException | UnsupportedOperationException e) {
        // gone already
      }
    }
    List<Long> pids = new ArrayList<>();
    if (inodes.isEmpty()) {
      return pids;
    }
    long self = ProcessHandle.current().pid();
    try (DirectoryStream<Path> proc = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString()
        .chars().allMatch(Character::isDigit))) {
      for (Path p : proc) {
        long pid = Long.parseLong(p.getFileName().toString());
        if (pid == self) {
          continue;
        }
        try {
          if (inodes.contains(Files.getAttribute(p.resolve("ns/net"), "unix:ino"))) {
            pids.add(pid);
          }
        } catch (IOException e) {
          // exited meanwhile, or a kernel thread
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot list /proc: " + e.getMessage(), e);
    }
    return pids;
  }

  /** SIGKILLs every process inside these namespaces and waits up to 2 s for them; returns how many. */
  public static int killAll(Collection<String> netnsNames) {
    List<ProcessHandle> killed = new ArrayList<>();
    for (long pid : in(netnsNames)) {
      ProcessHandle.of(pid).ifPresent(h -> {
        h.destroyForcibly();
        killed.add(h);
      });
    }
    for (ProcessHandle h : killed) {
      try {
        h.onExit().get(2, TimeUnit.SECONDS);
      } catch (Exception e) {
        // a zombie whose parent does not reap it holds no namespace; go on
      }
    }
    return killed.size();
  }
}
