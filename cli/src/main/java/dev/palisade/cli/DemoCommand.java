package dev.palisade.cli;

import dev.palisade.lab.cluster.Lab;
import dev.palisade.lab.demo.ShopDemo;
import dev.palisade.lab.net.LabNetwork;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `palisade demo [--enforce-after] [--nodes N] [--keep]`: the main job on the embedded lab. */
@Command(name = "demo", description = "Run the shop demo on the embedded lab: learn, then (with --enforce-after) "
    + "approve, enforce and block an attack.")
final class DemoCommand implements Callable<Integer> {
  @Option(names = "--enforce-after", description = "approve what was learned, enforce, and try an attack")
  boolean enforceAfter;

  @Option(names = "--nodes", defaultValue = "2", description = "lab nodes (default 2)")
  int nodes;

  @Option(names = "--keep", description = "keep the lab running until Ctrl-C (API URL and tokens printed)")
  boolean keep;

  @Override
  public Integer call() throws Exception {
    String id = "demo";
    LabNetwork.reap(id);
    Lab lab = Lab.start(id, nodes);
    Thread hook = new Thread(lab::close, "demo-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      var pal = lab.palisade().orElseThrow();
      System.out.println("review page: " + pal.url() + "/   (served on 127.0.0.1 while the demo runs; --keep keeps it up)");
      System.out.println("  approver token: " + pal.approverToken());
      System.out.println("  viewer token:   " + pal.viewerToken());
      System.out.println("  CA (the page's certificate; trust it in a browser, or accept the warning): " + pal.caFile());
      System.out.println("  CLI: export PALISADE_URL=" + pal.url() + " PALISADE_TOKEN=" + pal.approverToken()
          + " PALISADE_CA=" + pal.caFile() + "; ./palisade graph show");
      ShopDemo.Outcome o = new ShopDemo(System.out).run(lab, enforceAfter);
      if (keep) {
        System.out.println("the lab stays up: open " + pal.url() + "/ and sign in with a token above; Ctrl-C stops it.");
        Thread.currentThread().join();
      }
      boolean ok = enforceAfter ? o.ok() : o.learnedEdges() >= 2;
      System.out.println(ok ? "demo: OK" : "demo: FAILED " + o);
      return ok ? 0 : 1;
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
        lab.close();
      } catch (IllegalStateException shuttingDown) {
        // the hook closes it
      }
    }
  }
}
