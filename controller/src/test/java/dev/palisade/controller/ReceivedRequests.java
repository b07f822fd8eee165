package dev.palisade.controller;

import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The requests a mock API server received: what a test reads to count the writes a step made. */
public final class ReceivedRequests {
  private final KubernetesMockServer server;
  private int taken;

  public ReceivedRequests(KubernetesMockServer server) {
    this.server = server;
  }

  /** The methods of the requests the server received since the last call (or ever, at the first), in order. */
  public List<String> methodsSinceLastCall() throws InterruptedException {
    List<String> methods = new ArrayList<>();
    while (taken < server.getRequestCount()) {
      methods.add(server.takeRequest(5, TimeUnit.SECONDS).getMethod());
      taken++;
    }
    return methods;
  }
}
