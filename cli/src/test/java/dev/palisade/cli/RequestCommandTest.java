package dev.palisade.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.model.crd.AccessRequestSpec;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** palisade request refuses a malformed edge before anything is sent, naming what is wrong (exit 2). */
class RequestCommandTest {
  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Main.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @ParameterizedTest(name = "{0} {1} {2}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      shop/Deployment/web | shop/StatefulSet/db | 70000/TCP | port must be 1..65535, not 70000
      shop/Deployment/web | shop/StatefulSet/db | 5432/ICMP | protocol must be TCP, UDP or SCTP, not 'ICMP'
      shop/Deployment/web | shop/StatefulSet/db | http      | 'http' is not a port number
      web                 | shop/StatefulSet/db | 5432/TCP  | SRC: 'web' is not a workload NS/KIND/NAME or a pod NS/POD
      shop/Deployment/web | 10.0.0.1            | 5432/TCP  | DST: '10.0.0.1' is not a workload NS/KIND/NAME or a pod NS/POD
      """)
  void malformedEdgesAreUsageErrors(String src, String dst, String portProto, String message) {
    Run r = run("request", src, dst, portProto, "--reason", "needed", "--kubeconfig", "/nonexistent");
    assertEquals(ExitCodes.USAGE, r.code(), r.err());
    assertTrue(r.err().contains(message), r.err());
  }

  @Test
  void aReasonIsRequired() {
    Run r = run("request", "shop/Deployment/web", "shop/StatefulSet/db", "5432/TCP");
    assertEquals(ExitCodes.USAGE, r.code());
    assertTrue(r.err().contains("--reason"), r.err());
  }

  @Test
  void theDefaultNameReadsAsTheEdge() {
    AccessRequestSpec s = new AccessRequestSpec();
    s.source = "shop/web-5d8f-x2";
    s.destination = "shop/StatefulSet/db";
    s.port = 5432;
    String name = RequestCommand.defaultName(s);
    assertTrue(name.matches("web-5d8f-x2-to-db-5432-[a-z0-9]{5}"), name);
  }
}
