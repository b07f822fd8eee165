package dev.palisade.dataplane.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class RulesetDiffDifferencesTest {
  @Test
  void walksTwoSortedSetsIntoWhatWentAndWhatCame() {
    List<String> gone = new ArrayList<>();
    List<String> added = new ArrayList<>();
    RulesetDiff.differences(new TreeSet<>(List.of("a", "c", "d")), new TreeSet<>(List.of("b", "c", "e")), gone, added);
    assertEquals(List.of("a", "d"), gone);
    assertEquals(List.of("b", "e"), added);
  }

  @Test
  void agreesWithSetSubtractionOnRandomSets() {
    Random random = new Random(3);
    for (int round = 0; round < 300; round++) {
      TreeSet<String> before = new TreeSet<>();
      TreeSet<String> after = new TreeSet<>();
      for (int i = random.nextInt(40); i > 0; i--) {
        before.add("10.0.0." + random.nextInt(60) + " . tcp . 80");
      }
      for (int i = random.nextInt(40); i > 0; i--) {
        after.add("10.0.0." + random.nextInt(60) + " . tcp . 80");
      }
      List<String> gone = new ArrayList<>();
      List<String> added = new ArrayList<>();
      RulesetDiff.differences(before, after, gone, added);
      TreeSet<String> expectGone = new TreeSet<>(before);
      expectGone.removeAll(after);
      TreeSet<String> expectAdded = new TreeSet<>(after);
      expectAdded.removeAll(before);
      assertEquals(List.copyOf(expectGone), gone);
      assertEquals(List.copyOf(expectAdded), added);
    }
  }
}
