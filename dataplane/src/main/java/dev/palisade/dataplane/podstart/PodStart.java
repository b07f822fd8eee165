package dev.palisade.dataplane.podstart;

import java.util.regex.Pattern;

/**
 * One pod start as the node's CNI plugin tells it to the agent: the pod and the address it is
 * about to get. On the wire it is one line, {@code NAMESPACE NAME IP}, read strictly: a line that
 * is not exactly that (three fields, a DNS-1123 namespace and pod name, an IPv4 address) is
 * refused with what is wrong, and nothing is announced.
 */
public record PodStart(String namespace, String name, String ip) {
  private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final Pattern SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");
  private static final Pattern V4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");

  public PodStart {
    if (namespace == null || !LABEL.matcher(namespace).matches()) {
      throw new IllegalArgumentException("namespace: not a DNS-1123 label: " + quoted(namespace));
    }
    if (name == null || !SUBDOMAIN.matcher(name).matches()) {
      throw new IllegalArgumentException("name: not a DNS-1123 subdomain: " + quoted(name));
    }
    if (ip == null || !isV4(ip)) {
      // the agent's rules name pods by their IPv4 address; an IPv6 one is dropped for enforced pods,
      // so there is nothing to wait for: refused, and the CNI ADD fails closed
      throw new IllegalArgumentException("ip: not an IPv4 address: " + quoted(ip));
    }
  }

  /** The line the plugin sends (without its newline). */
  public String line() {
    return namespace + " " + name + " " + ip;
  }

  /** Reads one request line, strictly. */
  public static PodStart parse(String line) {
    String[] f = line.split(" ", -1);
    if (f.length != 3) {
      throw new IllegalArgumentException("expected 'NAMESPACE NAME IP' (three fields, one space apart), got "
          + f.length + " field(s): " + quoted(line));
    }
    return new PodStart(f[0], f[1], f[2]);
  }

  private static boolean isV4(String text) {
    var m = V4.matcher(text);
    if (!m.matches()) {
      return false;
    }
    for (int i = 1; i <= 4; i++) {
      String octet = m.group(i);
      if (Integer.parseInt(octet) > 255 || (octet.length() > 1 && octet.charAt(0) == '0')) {
        return false; // leading zeros read as octal by some tools: refused, not guessed
      }
    }
    return true;
  }

  private static String quoted(String s) {
    if (s == null) {
      return "nothing";
    }
    String cut = s.length() > 80 ? s.substring(0, 80) + "..." : s;
    return "'" + cut.replaceAll("\\p{Cntrl}", "?") + "'";
  }
}
