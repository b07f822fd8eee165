package dev.palisade.bench;

import dev.palisade.bench.RestartProbeBench.Run;
import dev.palisade.dataplane.agent.AgentJvm;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;

/** What {@link RestartProbeBench} writes to RESULTS.md from its agent runs. */
final class RestartProbeReport {
  private RestartProbeReport() {}

  /** The section appended to RESULTS.md: the table of agent runs and the goal lines. */
  static String of(List<Run> runs, int peers, int kills, int percent, long wanted, Path dir) {
    List<Run> restarts = runs.subList(1, runs.size());
    double longest = restarts.stream().mapToDouble(Run::longestMs).max().orElse(Double.NaN);
    Run worst = restarts.stream().max((a, b) -> Double.compare(a.longestMs(), b.longestMs())).orElse(null);
    long attacks = runs.stream().mapToLong(Run::attacks).sum();
    long passed = runs.stream().mapToLong(Run::attacksPassed).sum();
    long approved = runs.stream().mapToLong(Run::approved).sum();
    long failed = runs.stream().mapToLong(Run::approvedFailed).sum();
    StringBuilder rows = new StringBuilder();
    for (Run r : runs) {
      rows.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %d | %.1f ms | %,d | %s | %d of %,d | %d of %,d |%n",
          r.kill() == 0 ? "first agent (loaded the table)" : "kill " + r.kill(),
          r.kill() == 0 ? "-" : r.changed() ? percent + "% of peers" : "nothing",
          r.kill() == 0 ? "-" : String.format(Locale.ROOT, "%.0f ms", r.killToSyncMs()),
          // the first agent's first sync came before the app and its policies: not comparable
          r.kill() == 0 ? "-" : String.format(Locale.ROOT, "%.0f ms", r.firstSyncMs()),
          r.adoption(), r.commits(), r.longestMs(), r.elements(), r.load(), r.attacksPassed(), r.attacks(),
          r.approvedFailed(), r.approved()));
    }
    String command = "scripts/bench.sh restart-probe " + peers + " " + kills + " " + percent;
    return String.format(Locale.ROOT, """

        ## Agent restarts (kill -9) over a table of %,d elements, probed (%s)

        %s
        Command: `%s`. A one-node process lab (controller and agent each their own process, as deploy/base runs them; \
        the agent JVM with its container's options, %s). Namespace `probe` enforced (`/v1/mode`) with a server `web`, \
        a `client` whose own connections to web were learned and approved (`/v1/review`) and an `attacker` never \
        approved; NetworkPolicies admit web from %,d /32 peers x %d TCP ports (%,d elements; the peers that move in \
        a policy of their own) and from any pod of `probe` on port %d, so only Palisade's enforcement refuses the \
        attacker. Two probe threads run throughout: \
        attacker -> web (new TCP connection, passed = established within %d ms) back to back, client -> web every %d \
        ms (failed = not established and echoed within %d ms, i.e. a dropped SYN; nothing in a restart is meant to \
        drop it: the table stays in force while the agent is down and is adopted, never flushed). The agent process is \
        killed (SIGKILL) %d times and restarted at once by the lab's supervisor; each kill waits for the restarted \
        agent's "first sync in force" (its log) and %d s more. At every second kill, %d%% of the peers are moved while \
        the agent is down (SIGSTOP, their policy replaced, SIGKILL), so that the restarted agent has elements to write. \
        Commits and the longest single commit: the agent's `palisade_agent_commits_total` and \
        `palisade_agent_longest_commit_seconds` (its own life: a restarted agent starts at 0), scraped just before \
        the next kill; first sync: `palisade_agent_sync_duration_seconds{cause="first"}`; adoption: the agent's log \
        line (differences found / commits planned / read and planned in); probes: those started between this kill \
        and the next; load: the machine's 1-minute load average at that scrape (2 cores, shared). Logs: %s.

        | agent run | changed while down | kill -> first sync in force | first sync | adoption: differences / commits / read | commits | longest commit | elements in force | load (1 min) | attacks passed | approved failed |
        |---|---|---|---|---|---|---|---|---|---|---|
        %s
        %s%s%s""", wanted, LocalDate.now(), Machine.describe(), command, String.join(" ", AgentJvm.asInContainer()),
        peers, RestartProbeBench.PORTS, wanted, RestartProbeBench.PORT, RestartProbeBench.ATTACK_TIMEOUT.toMillis(), RestartProbeBench.APPROVED_EVERY_MS, RestartProbeBench.APPROVED_TIMEOUT.toMillis(), kills,
        RestartProbeBench.DWELL_SECONDS, percent, dir, rows,
        Goal.line(String.format(Locale.ROOT, "Restart of an agent whose table holds %,d elements: no commit over 50 ms "
            + "(ms, the longest single commit of the %d restarted agent processes)", wanted, restarts.size()), longest,
            50, false, worst == null ? null : String.format(Locale.ROOT, "the longest was kill %d's (%s changed while "
                + "down, commits: %d; adoption %s); on this shared 2-core machine a commit's libnftables parse and "
                + "kernel transaction stretch under load", worst.kill(), worst.changed() ? percent + "%" : "nothing",
                worst.commits(), worst.adoption())),
        Goal.line(String.format(Locale.ROOT, "no packet of an enforced pod passes that should not: attack probes "
            + "established through %d kills -9 (of %,d)", kills, attacks), passed, 0, false,
            "the agent's log and the ATTACK PASSED lines of the run's output say in which window"),
        Goal.line(String.format(Locale.ROOT, "approved connections never fail through the restarts: client probes not "
            + "established and echoed within %d ms (of %,d)", RestartProbeBench.APPROVED_TIMEOUT.toMillis(), approved), failed, 0, false,
            "a probe that failed is a dropped SYN (a window without the approved element) or an echo slower than "
                + RestartProbeBench.APPROVED_TIMEOUT.toMillis() + " ms on the busy machine; the run's output names the windows"));
  }
}
