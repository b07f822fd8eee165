package dev.palisade.controller.request;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.palisade.model.crd.AccessRequestSpec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What a request's spec is read as: the edge between workloads, or the problem named by field. */
class AccessRequestCheckTest {
  @ParameterizedTest(name = "{0} {1} {2}/{3}")
  @CsvSource(delimiter = '|', nullValues = "null", textBlock = """
      shop/Deployment/web | shop/StatefulSet/db | 5432  | TCP  | shop/Deployment/web -> shop/StatefulSet/db 5432/TCP
      shop/web-1          | shop/statefulset/db | 5432  | UDP  | shop/Deployment/web -> shop/StatefulSet/db 5432/UDP
      shop/Pod/web-1      | shop/StatefulSet/db | 1     | SCTP | shop/Deployment/web -> shop/StatefulSet/db 1/SCTP
      shop/Deployment/web | shop/StatefulSet/db | 0     | TCP  | spec.port: must be a port number 1..65535, not 0
      shop/Deployment/web | shop/StatefulSet/db | 65536 | TCP  | spec.port: must be a port number 1..65535, not 65536
      shop/Deployment/web | shop/StatefulSet/db | null  | TCP  | spec.port: must be a port number 1..65535, not null
      shop/Deployment/web | shop/StatefulSet/db | 5432  | tcp  | spec.protocol: must be TCP, UDP or SCTP, not 'tcp'
      shop/Deployment/web | shop/StatefulSet/db | 5432  | ICMP | spec.protocol: must be TCP, UDP or SCTP, not 'ICMP'
      shop/web-9          | shop/StatefulSet/db | 5432  | TCP  | spec.source: no pod 'web-9' in namespace 'shop' (name a workload NS/KIND/NAME, or a running pod)
      shop/Service/web    | shop/StatefulSet/db | 5432  | TCP  | spec.source: kind 'Service' is not Deployment, StatefulSet, DaemonSet, CronJob, Job or Pod
      billing/Deployment/web | shop/StatefulSet/db | 5432 | TCP | spec.source: no Deployment 'web' in namespace 'billing'
      shop/Deployment/web | db                  | 5432  | TCP  | spec.destination: 'db' is not a workload NS/KIND/NAME or a pod NS/POD
      shop/Deployment/web | Shop/x/y/z          | 5432  | TCP  | spec.destination: 'Shop/x/y/z' is not a workload NS/KIND/NAME or a pod NS/POD
      """)
  void specs(String src, String dst, Integer port, String proto, String expected) {
    AccessRequestSpec s = new AccessRequestSpec();
    s.source = src;
    s.destination = dst;
    s.port = port;
    s.protocol = proto;
    s.reason = "needed";
    AccessRequestCheck.Checked c = AccessRequestCheck.check(s, AccessRequestQueueTest.ENDS);
    assertEquals(expected, c.valid() ? c.edge().text() : c.problem());
  }
}
