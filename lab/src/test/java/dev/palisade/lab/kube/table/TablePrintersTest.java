package dev.palisade.lab.kube.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Objects to Table rows, one case per row: the cells kube-apiserver's printers give for them. */
class TablePrintersTest {
  private static final JsonMapper MAPPER = JsonMapper.builder().build();
  private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
  private static final String CREATED = "\"creationTimestamp\":\"2026-12-01T11:55:00Z\"";

  private static JsonNode json(String s) {
    return MAPPER.readTree(s);
  }

  @ParameterizedTest
  @CsvSource({"0,0s", "1,1s", "119,119s", "120,2m", "150,2m30s", "600,10m", "10799,179m", "10800,3h", "11100,3h5m",
      "28800,8h", "172799,47h", "172800,2d", "180000,2d2h", "691200,8d", "63072000,2y", "64000000,2y10d",
      "252288000,8y", "-1,0s", "-5,<invalid>"})
  void agesRoundAsKubectlPrintsThem(long seconds, String printed) {
    assertEquals(printed, HumanDuration.format(Duration.ofSeconds(seconds)));
  }

  static Stream<Arguments> rows() {
    return Stream.of(
        Arguments.of("running pod with a crashing sidecar", "", "pods", """
            {"metadata":{"name":"web-1",%s},"spec":{"nodeName":"n1","containers":[{"name":"a"},{"name":"b"}]},
             "status":{"phase":"Running","podIP":"10.0.0.5","containerStatuses":[
               {"name":"a","ready":true,"restartCount":2,"state":{"running":{}}},
               {"name":"b","ready":false,"restartCount":1,"state":{"waiting":{"reason":"CrashLoopBackOff"}}}]}}""",
            List.of("web-1", "1/2", "CrashLoopBackOff", "3", "5m", "10.0.0.5", "n1", "<none>", "<none>")),
        Arguments.of("pending pod without status", "", "pods", """
            {"metadata":{"name":"p",%s},"spec":{"containers":[{"name":"a"}]},"status":{"phase":"Pending"}}""",
            List.of("p", "0/1", "Pending", "0", "5m", "<none>", "<none>", "<none>", "<none>")),
        Arguments.of("pod whose container exited", "", "pods", """
            {"metadata":{"name":"p",%s},"spec":{"containers":[{"name":"a"}]},"status":{"phase":"Failed",
             "containerStatuses":[{"name":"a","restartCount":0,"state":{"terminated":{"exitCode":3}}}]}}""",
            List.of("p", "0/1", "ExitCode:3", "0", "5m", "<none>", "<none>", "<none>", "<none>")),
        Arguments.of("pod restarted a minute ago", "", "pods", """
            {"metadata":{"name":"p",%s},"spec":{"containers":[{"name":"a"}]},"status":{"phase":"Running",
             "containerStatuses":[{"name":"a","ready":true,"restartCount":4,"state":{"running":{}},
               "lastState":{"terminated":{"exitCode":1,"finishedAt":"2026-12-01T11:59:00Z"}}}]}}""",
            List.of("p", "1/1", "Running", "4 (60s ago)", "5m", "<none>", "<none>", "<none>", "<none>")),
        Arguments.of("terminating pod", "", "pods", """
            {"metadata":{"name":"p",%s,"deletionTimestamp":"2026-12-01T11:59:00Z"},"spec":{"containers":[]},
             "status":{"phase":"Running"}}""",
            List.of("p", "0/0", "Terminating", "0", "5m", "<none>", "<none>", "<none>", "<none>")),
        Arguments.of("deployment", "apps", "deployments", """
            {"metadata":{"name":"web",%s},"spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"}},
             "template":{"spec":{"containers":[{"name":"a","image":"nginx"}]}}},
             "status":{"readyReplicas":2,"updatedReplicas":3,"availableReplicas":2}}""",
            List.of("web", "2/3", 3L, 2L, "5m", "a", "nginx", "app=web")),
        Arguments.of("replicaset", "apps", "replicasets", """
            {"metadata":{"name":"web-5d4",%s},"spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}}},
             "status":{"replicas":2,"readyReplicas":1}}""",
            List.of("web-5d4", 2L, 2L, 1L, "5m", "", "", "app=web")),
        Arguments.of("statefulset", "apps", "statefulsets", """
            {"metadata":{"name":"db",%s},"spec":{"replicas":2},"status":{"readyReplicas":2}}""",
            List.of("db", "2/2", "5m", "", "")),
        Arguments.of("daemonset", "apps", "daemonsets", """
            {"metadata":{"name":"agent",%s},"spec":{"selector":{"matchExpressions":[{"key":"tier","operator":"In",
             "values":["b","a"]}]},"template":{"spec":{"nodeSelector":{"os":"linux"}}}},
             "status":{"desiredNumberScheduled":3,"currentNumberScheduled":3,"numberReady":2,
             "updatedNumberScheduled":3,"numberAvailable":2}}""",
            List.of("agent", 3L, 3L, 2L, 3L, 2L, "os=linux", "5m", "", "", "tier in (a,b)")),
        Arguments.of("complete job", "batch", "jobs", """
            {"metadata":{"name":"j",%s},"spec":{"completions":1},"status":{"succeeded":1,
             "startTime":"2026-12-01T11:55:00Z","completionTime":"2026-12-01T11:55:30Z",
             "conditions":[{"type":"Complete","status":"True"}]}}""",
            List.of("j", "Complete", "1/1", "30s", "5m", "", "", "<none>")),
        Arguments.of("cronjob", "batch", "cronjobs", """
            {"metadata":{"name":"c",%s},"spec":{"schedule":"*/5 * * * *","suspend":false},
             "status":{"active":[{"name":"c-1"}],"lastScheduleTime":"2026-12-01T11:58:00Z"}}""",
            List.of("c", "*/5 * * * *", "<none>", "False", 1L, "2m", "5m", "", "", "<none>")),
        Arguments.of("cluster ip service", "", "services", """
            {"metadata":{"name":"web",%s},"spec":{"clusterIP":"10.96.0.10","selector":{"app":"web"},
             "ports":[{"port":80,"protocol":"TCP"},{"port":53,"protocol":"UDP"}]}}""",
            List.of("web", "ClusterIP", "10.96.0.10", "<none>", "80/TCP,53/UDP", "5m", "app=web")),
        Arguments.of("load balancer pending", "", "services", """
            {"metadata":{"name":"lb",%s},"spec":{"type":"LoadBalancer","clusterIP":"10.96.0.11",
             "ports":[{"port":443,"nodePort":30443}]}}""",
            List.of("lb", "LoadBalancer", "10.96.0.11", "<pending>", "443:30443/TCP", "5m", "<none>")),
        Arguments.of("namespace", "", "namespaces", """
            {"metadata":{"name":"shop",%s}}""", List.of("shop", "Active", "5m")),
        Arguments.of("node", "", "nodes", """
            {"metadata":{"name":"n1",%s,"labels":{"node-role.kubernetes.io/control-plane":""}},
             "spec":{"unschedulable":true},"status":{"conditions":[{"type":"Ready","status":"True"}],
             "addresses":[{"type":"InternalIP","address":"192.168.0.2"}],"nodeInfo":{"kubeletVersion":"v1.32.0"}}}""",
            List.of("n1", "Ready,SchedulingDisabled", "control-plane", "5m", "v1.32.0", "192.168.0.2", "<none>",
                "<unknown>", "<unknown>", "<unknown>")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void builtInKindsPrintTheirColumns(String what, String group, String resource, String object, List<Object> cells) {
    RowPrinter printer = BuiltinPrinters.forResource(group, resource).orElseThrow();
    assertEquals(cells, printer.cells(json(object.formatted(CREATED)), NOW));
    assertEquals(printer.columns().size(), cells.size(), "one cell per column");
  }

  @Test
  void podColumnsAreKubectlsWithWideOnesAtPriorityOne() {
    List<TableColumn> columns = BuiltinPrinters.forResource("", "pods").orElseThrow().columns();
    assertEquals(List.of("Name", "Ready", "Status", "Restarts", "Age", "IP", "Node", "Nominated Node",
        "Readiness Gates"), columns.stream().map(TableColumn::name).toList());
    assertEquals(List.of(0, 0, 0, 0, 0, 1, 1, 1, 1), columns.stream().map(TableColumn::priority).toList());
    assertEquals("name", columns.get(0).format());
  }

  @Test
  void otherKindsHaveNoBuiltInPrinter() {
    assertEquals(Optional.empty(), BuiltinPrinters.forResource("", "configmaps"));
    assertEquals(List.of("cm", "5m"), BuiltinPrinters.DEFAULT.cells(json("{\"metadata\":{\"name\":\"cm\"," + CREATED
        + "}}"), NOW));
  }

  private static final String CRD = """
      {"spec":{"group":"example.com","names":{"kind":"Widget"},"versions":[{"name":"v1","additionalPrinterColumns":[
        {"name":"Mode","type":"string","jsonPath":".spec.mode"},
        {"name":"Rules","type":"integer","jsonPath":".status.rules"},
        {"name":"First","type":"string","jsonPath":"{.spec.ports[0].name}","priority":1},
        {"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}]},
        {"name":"v2"}]}}""";

  @Test
  void customResourcesPrintTheirCrdsColumns() {
    RowPrinter printer = CustomColumnPrinter.of(json(CRD), "v1");
    assertEquals(List.of("Name", "Mode", "Rules", "First", "Age"), printer.columns().stream().map(TableColumn::name)
        .toList());
    assertEquals(1, printer.columns().get(3).priority());
    JsonNode widget = json("{\"metadata\":{\"name\":\"w\"," + CREATED + "},\"spec\":{\"mode\":\"enforce\","
        + "\"ports\":[{\"name\":\"http\"}]},\"status\":{\"rules\":7}}");
    assertEquals(List.of("w", "enforce", 7L, "http", "5m"), printer.cells(widget, NOW));
    assertEquals(Arrays.asList("w", null, null, null, "5m"),
        printer.cells(json("{\"metadata\":{\"name\":\"w\"," + CREATED + "}}"), NOW), "absent fields leave cells empty");
  }

  @Test
  void aVersionWithoutColumnsPrintsNameAndAge() {
    assertEquals(BuiltinPrinters.DEFAULT, CustomColumnPrinter.of(json(CRD), "v2"));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"
          + "||meta.k8s.io/v1|METADATA",
      "application/json;as=Table;v=v1beta1;g=meta.k8s.io|includeObject=Object|meta.k8s.io/v1beta1|OBJECT",
      "application/json; as=Table; g=meta.k8s.io; v=v1|limit=500&includeObject=None|meta.k8s.io/v1|NONE"})
  void kubectlsAcceptHeaderAsksForATable(String accept, String query, String apiVersion, String include) {
    assertEquals(Optional.of(new TableRequest(apiVersion, TableRequest.IncludeObject.valueOf(include))),
        TableRequest.of(accept, query));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {"application/json", "application/json, */*",
      "application/json,application/json;as=Table;v=v1;g=meta.k8s.io",
      "application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io",
      "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io"})
  void otherAcceptHeadersGetPlainJson(String accept) {
    assertEquals(Optional.empty(), TableRequest.of(accept, ""));
  }

  @Test
  void aListBecomesATableWithMetadataRows() {
    JsonNode list = json("{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":\"42\"},"
        + "\"items\":[{\"metadata\":{\"name\":\"a\",\"namespace\":\"shop\",\"labels\":{\"app\":\"a\"}," + CREATED
        + "},\"spec\":{\"containers\":[{\"name\":\"c\"}]},\"status\":{\"phase\":\"Pending\"}}]}");
    JsonNode table = TableRenderer.render(list, BuiltinPrinters.forResource("", "pods").orElseThrow(),
        new TableRequest("meta.k8s.io/v1", TableRequest.IncludeObject.METADATA), NOW);
    assertEquals("Table", table.path("kind").asString());
    assertEquals("meta.k8s.io/v1", table.path("apiVersion").asString());
    assertEquals("42", table.path("metadata").path("resourceVersion").asString());
    assertEquals(9, table.path("columnDefinitions").size());
    assertEquals("Ready", table.path("columnDefinitions").get(1).path("name").asString());
    JsonNode row = table.path("rows").get(0);
    assertEquals("[\"a\",\"0/1\",\"Pending\",\"0\",\"5m\",\"<none>\",\"<none>\",\"<none>\",\"<none>\"]",
        row.path("cells").toString());
    assertEquals("PartialObjectMetadata", row.path("object").path("kind").asString());
    assertEquals("shop", row.path("object").path("metadata").path("namespace").asString());
    assertFalse(row.path("object").has("spec"), "metadata only");
  }

  @Test
  void oneObjectBecomesOneRowAndAWatchEventCarriesColumnsOnlyWhenAsked() {
    JsonNode pod = json("{\"kind\":\"Pod\",\"metadata\":{\"name\":\"a\",\"resourceVersion\":\"7\"," + CREATED + "}}");
    RowPrinter printer = BuiltinPrinters.forResource("", "pods").orElseThrow();
    TableRequest request = new TableRequest("meta.k8s.io/v1", TableRequest.IncludeObject.OBJECT);
    JsonNode table = TableRenderer.render(pod, printer, request, NOW);
    assertEquals(1, table.path("rows").size());
    assertEquals("7", table.path("metadata").path("resourceVersion").asString());
    assertEquals(pod, table.path("rows").get(0).path("object"));
    assertTrue(TableRenderer.eventTable(pod, printer, request, NOW, false).path("columnDefinitions").isEmpty());
    assertEquals(9, TableRenderer.eventTable(pod, printer, request, NOW, true).path("columnDefinitions").size());
  }
}
