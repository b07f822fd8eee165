package dev.palisade.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** `palisade scenario run` on files that do not parse: no lab is started for them. */
class ScenarioCommandTest {
  @TempDir Path dir;

  @Test
  void aFileThatDoesNotParseIsNamedTheOthersStillRunAndTheExitIsNonZero() throws Exception {
    Path unknownKey = dir.resolve("unknown-key.yaml");
    Files.writeString(unknownKey, """
        schema: palisade-scenario/v1
        name: typo
        topology: {pods: [{ref: x/a}]}
        steps:
        - {step: 1, action: wait, seconds: 0}
        - {step: 2, action: set-namespace-labels, namespace: x, lables: {team: a}}
        """);
    Path notYaml = dir.resolve("not-yaml.yaml");
    Files.writeString(notYaml, "schema: [unclosed\n");
    PrintStream stdout = System.out;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int code;
    try {
      System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
      code = new CommandLine(new Main()).execute("scenario", "run", unknownKey.toString(), notYaml.toString());
    } finally {
      System.setOut(stdout);
    }
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertEquals(1, code, out);
    assertTrue(out.contains(unknownKey + ": step 2 (set-namespace-labels): lables: unknown key"), out);
    assertTrue(out.contains(notYaml + ": not valid YAML: line "), out);
    assertTrue(out.strip().endsWith("0 passed, 2 failed"), out);
  }
}
