package dev.palisade.dataplane.netpol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LabelSelectorsTest {
  private static final KubernetesSerialization YAML = new KubernetesSerialization();
  private static final Map<String, String> WEB = Map.of("app", "web", "tier", "front");

  private static LabelSelector selector(String yaml) {
    // Wrapped in a peer: fabric8 reads text starting with '{' as JSON, and flow YAML is not JSON.
    return YAML.unmarshal("podSelector: " + yaml, NetworkPolicyPeer.class).getPodSelector();
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', textBlock = """
      {}                                                                     | true
      {matchLabels: {app: web}}                                              | true
      {matchLabels: {app: web, tier: back}}                                  | false
      {matchLabels: {team: a}}                                               | false
      {matchExpressions: [{key: app, operator: In, values: [db, web]}]}      | true
      {matchExpressions: [{key: app, operator: In, values: [db]}]}           | false
      {matchExpressions: [{key: team, operator: In, values: [a]}]}           | false
      {matchExpressions: [{key: app, operator: NotIn, values: [db]}]}        | true
      {matchExpressions: [{key: app, operator: NotIn, values: [web]}]}       | false
      {matchExpressions: [{key: team, operator: NotIn, values: [a]}]}        | true
      {matchExpressions: [{key: tier, operator: Exists}]}                    | true
      {matchExpressions: [{key: team, operator: Exists}]}                    | false
      {matchExpressions: [{key: team, operator: DoesNotExist}]}              | true
      {matchExpressions: [{key: app, operator: DoesNotExist}]}               | false
      {matchLabels: {app: web}, matchExpressions: [{key: tier, operator: In, values: [back]}]} | false
      """)
  void matchLabelsAndExpressionsAreAnded(String yaml, boolean expected) {
    assertEquals(expected, LabelSelectors.matches(selector(yaml), WEB));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      {matchExpressions: [{key: app, operator: in, values: [web]}]}          | matchExpressions[0].operator: 'in' is not one of
      {matchExpressions: [{key: app, operator: In}]}                         | matchExpressions[0].values: must be non-empty
      {matchExpressions: [{key: app, operator: NotIn, values: []}]}          | matchExpressions[0].values: must be non-empty
      {matchExpressions: [{key: app, operator: Exists, values: [web]}]}      | matchExpressions[0].values: must be empty
      {matchExpressions: [{key: app, operator: In, values: [a]}, {operator: Exists}]} | matchExpressions[1].key: must not be empty
      """)
  void invalidRequirementsAreRefusedWithTheirPath(String yaml, String messageStart) {
    var e = assertThrows(IllegalArgumentException.class, () -> LabelSelectors.compile(selector(yaml)));
    assertEquals(messageStart, e.getMessage().substring(0, Math.min(messageStart.length(), e.getMessage().length())));
  }
}
