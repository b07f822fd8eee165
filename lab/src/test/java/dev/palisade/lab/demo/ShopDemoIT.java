package dev.palisade.lab.demo;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.lab.cluster.Lab;
import dev.palisade.testkit.KernelTest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The README's main job, end to end: learn, approve, enforce, an attack blocked and reported. */
@KernelTest
class ShopDemoIT {
  @Test
  void learnsApprovesEnforcesAndBlocksTheAttack() throws Exception {
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    try (Lab lab = Lab.start("dm" + ProcessHandle.current().pid() % 100000, 2)) {
      ShopDemo.Outcome o = new ShopDemo(new PrintStream(text, true, StandardCharsets.UTF_8)).run(lab, true);
      String out = text.toString(StandardCharsets.UTF_8);
      assertTrue(o.ok(), o + "\n" + out);
      assertTrue(out.contains("shop/Deployment/web    -> shop/Deployment/api"), out);
      assertTrue(out.contains("web -> db:5432   blocked"), out);
    }
  }
}
