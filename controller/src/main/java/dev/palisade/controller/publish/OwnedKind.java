package dev.palisade.controller.publish;

import dev.palisade.model.crd.AllowList;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.function.Function;

/**
 * A kind of object the controller writes and keeps as written: its class, its name in logs and
 * the part of an object the controller decides (an AllowList's spec, a ConfigMap's data), by name
 * and by value. Two
 * objects whose decided parts are equal are the same to {@link ObjectReconciler}, whatever their
 * metadata or status.
 */
public record OwnedKind<T extends HasMetadata>(Class<T> type, String name, String part,
    Function<T, Object> content) {
  public static final OwnedKind<AllowList> ALLOW_LISTS = new OwnedKind<>(AllowList.class, "AllowList", "spec",
      AllowList::getSpec);
  public static final OwnedKind<ConfigMap> CONFIG_MAPS = new OwnedKind<>(ConfigMap.class, "ConfigMap", "data",
      ConfigMap::getData);
}
