package dev.palisade.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every command in the tree, found by walking it (so a new one is covered): help, version, completion. */
class CommandTreeTest {
  /** What one command printed and returned. */
  record Run(int code, String out, String err) {}

  static Run palisade(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Main.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  /** The argument lists that reach each command: [], [lab], [lab, up], ... */
  static List<List<String>> paths(CommandLine c, List<String> prefix) {
    List<List<String>> all = new ArrayList<>();
    all.add(prefix);
    // getSubcommands() lists aliases too; the spec's own name is the one to type
    for (CommandLine sub : new java.util.LinkedHashSet<>(c.getSubcommands().values())) {
      List<String> p = new ArrayList<>(prefix);
      p.add(sub.getCommandName());
      all.addAll(paths(sub, p));
    }
    return all;
  }

  @Test
  void everyCommandAnswersHelpWithItsUsageAndExitZero() {
    List<List<String>> paths = paths(Main.commandLine(), List.of());
    assertTrue(paths.size() > 30, "the walk found the tree: " + paths);
    assertTrue(paths.contains(List.of("lab", "up")) && paths.contains(List.of("graph", "show"))
        && paths.contains(List.of("lab", "cron", "run")), paths.toString());
    for (List<String> path : paths) {
      for (String flag : List.of("--help", "-h")) {
        List<String> args = new ArrayList<>(path);
        args.add(flag);
        Run r = palisade(args.toArray(String[]::new));
        String name = String.join(" ", args);
        assertEquals(0, r.code(), name + ": " + r.err());
        String usage = "Usage: palisade" + (path.isEmpty() ? "" : " " + String.join(" ", path)) + " ";
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith(usage)), name + " printed:\n" + r.out() + r.err());
        assertTrue(r.out().contains("-h, --help"), name + " lists its help option:\n" + r.out());
        assertTrue(r.err().isEmpty(), name + ": " + r.err());
      }
    }
  }

  @Test
  void everyCommandHasItsOwnDescription() {
    // inherited attributes (scope INHERIT) must not hand the root's description to a subcommand
    String root = String.join(" ", Main.commandLine().getCommandSpec().usageMessage().description());
    for (List<String> path : paths(Main.commandLine(), List.of())) {
      if (path.isEmpty()) continue;
      CommandLine c = Main.commandLine();
      for (String name : path) c = c.getSubcommands().get(name);
      String d = String.join(" ", c.getCommandSpec().usageMessage().description());
      assertFalse(d.isBlank() || d.equals(root), String.join(" ", path) + " has no description of its own");
    }
  }

  @Test
  void versionIsTheProjectsFromTheBuild() {
    Run sub = palisade("version");
    Run flag = palisade("--version");
    assertEquals(0, sub.code(), sub.err());
    assertEquals(0, flag.code(), flag.err());
    assertEquals(sub.out(), flag.out());
    String first = sub.out().lines().findFirst().orElse("");
    assertTrue(first.matches("palisade \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?"), "a filtered version, not a placeholder: " + first);
    assertEquals("palisade " + VersionProvider.projectVersion(), first);
    assertTrue(sub.out().contains("java " + Runtime.version()), sub.out());
  }

  @Test
  void completionIsABashScriptForTheWholeTree() {
    Run r = palisade("completion");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().startsWith("#!/usr/bin/env bash"), r.out().lines().findFirst().orElse(""));
    assertTrue(r.out().contains("complete -F _complete_palisade"), "registers the function for palisade");
    for (String word : List.of("lab", "graph", "approve", "completion", "--nodes", "--token-file", "--namespace")) {
      assertTrue(r.out().contains(word), "completes " + word);
    }
  }
}
