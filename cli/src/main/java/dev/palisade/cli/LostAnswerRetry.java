package dev.palisade.cli;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Sends one decision until it is answered. A decision whose answer is lost (the connection broke,
 * the request timed out, or a gateway or the controller answered 502/503/504: "send the request
 * again") may or may not have taken effect, so it is sent again, unchanged: the same body with the
 * same request id, which the controller answers from its audit log when it has the decision
 * already, so it is applied at most once. Any other answer, 4xx above all, is final and is never
 * sent again. When every attempt is lost the user is told the id to send it again with by hand.
 */
final class LostAnswerRetry {
  /** The controller's "send the request again" (503), and what a gateway in front of it says instead. */
  static final Set<Integer> SEND_AGAIN = Set.of(502, 503, 504);
  /** Waits between attempts: five attempts over about 8 s, long enough for a restarting controller's first answers. */
  static final List<Duration> BACKOFF = List.of(Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2),
      Duration.ofSeconds(4));

  /** One attempt: the controller's answer, or IOException when none came. */
  @FunctionalInterface
  interface Attempt {
    HttpResponse<String> send() throws IOException, InterruptedException;
  }

  private final List<Duration> backoff;

  LostAnswerRetry(List<Duration> backoff) {
    this.backoff = List.copyOf(backoff);
  }

  /**
   * The first answer that is not lost.
   *
   * @param what the request as the user is told, e.g. "POST /v1/review"
   * @param id the request id the body carries
   * @throws ApiClient.NoAccess when no attempt got an answer, ApiClient.ApiError when the last was 502/503/504
   */
  HttpResponse<String> send(String what, String id, Attempt attempt) throws InterruptedException {
    for (int i = 0; ; i++) {
      String lost;
      boolean answered;
      try {
        HttpResponse<String> r = attempt.send();
        if (!SEND_AGAIN.contains(r.statusCode())) {
          return r;
        }
        lost = r.statusCode() + " " + r.body();
        answered = true;
      } catch (IOException e) {
        lost = ApiClient.describe(e);
        answered = false;
      }
      if (i == backoff.size()) {
        String message = what + ": no answer after " + (i + 1) + " attempts (last: " + lost + "); it may or may "
            + "not have taken effect. It carried id " + id + ": run the command again with --id " + id
            + " and the controller applies it at most once";
        throw answered ? new ApiClient.ApiError(message) : new ApiClient.NoAccess(message);
      }
      Thread.sleep(backoff.get(i).toMillis());
    }
  }
}
