package dev.palisade.lab.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.crud.AttributeType;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.net.HttpURLConnection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * fabric8's CRUD store with an index by resource and name, as etcd has by key: the store itself
 * finds an object by testing every stored object's attributes against the request's, so with
 * 10,000 pods stored each read or write of one AllowList, audit entry or token's bound pod walked
 * them all (and a GET first copied them all). Behaviour is the store's own: an object is still
 * found by the store's attribute match, only among the few stored under the same resource (plural)
 * and name; when more than one matches, or a request is not a plain by-name one (lists, label
 * selectors, watches, deletes), the store answers as before by walking everything.
 *
 * <p>The index follows every change the store makes, since each goes through
 * {@link #processEvent}; it is a cache of the store's map, never a second truth: when the key it
 * computes for a stored object is not the store's (a future fabric8 computing keys otherwise), it
 * is dropped and rebuilt from the map at the next lookup.
 *
 * <p>Thread contract: writes (create, update, patch, delete, reset) hold this store's write lock,
 * by-name reads its read lock, around the store's own lock (taken inside, always in that order), so
 * that a read never sees an object between the store's removal of its old key and the put of its
 * new one.
 */
final class IndexedCrudStore extends KubernetesCrudDispatcher {
  private static final String PLURAL = KubernetesAttributesExtractor.PLURAL;
  private static final String NAME = KubernetesAttributesExtractor.NAME;

  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  /** Guards the index itself: lookups under the read lock run side by side. */
  private final Object indexLock = new Object();
  private final KubernetesAttributesExtractor extractor;
  /** (plural, name) attributes -> the store's keys having both, in the store's order; guarded by indexLock. */
  private Map<List<Attribute>, Set<AttributeSet>> byName = new HashMap<>();
  private boolean stale;

  IndexedCrudStore(List<CustomResourceDefinitionContext> crdContexts) {
    super(crdContexts);
    this.extractor = (KubernetesAttributesExtractor) getAttributeExtractor();
  }

  @Override
  public MockResponse handleCreate(RecordedRequest request) {
    return writing(() -> super.handleCreate(request));
  }

  @Override
  public MockResponse handleUpdate(RecordedRequest request) {
    return writing(() -> super.handleUpdate(request));
  }

  @Override
  public MockResponse handlePatch(RecordedRequest request) {
    return writing(() -> super.handlePatch(request));
  }

  @Override
  public MockResponse handleDelete(String path) {
    return writing(() -> super.handleDelete(path));
  }

  /** The plain CRUD writes of fabric8's base class put into the map without an event: the index is rebuilt after them. */
  @Override
  public MockResponse handleCreate(String path, String body) {
    return writingUnindexed(() -> super.handleCreate(path, body));
  }

  @Override
  public MockResponse handleUpdate(String path, String body) {
    return writingUnindexed(() -> super.handleUpdate(path, body));
  }

  @Override
  public MockResponse handlePatch(String path, String body) {
    return writingUnindexed(() -> super.handlePatch(path, body));
  }

  @Override
  public void reset() {
    writing(() -> {
      super.reset();
      synchronized (indexLock) {
        byName = new HashMap<>();
        stale = false;
      }
      return null;
    });
  }

  /** By name from the index; anything else (a list, a watch) as the store answers it. */
  @Override
  public MockResponse handleGet(String path) {
    if (path.contains("watch=")) {
      return super.handleGet(path);
    }
    AttributeSet query = getKey(path);
    List<Attribute> indexKey = indexKeyOfQuery(query);
    if (indexKey == null) {
      return super.handleGet(path);
    }
    lock.readLock().lock();
    try {
      List<AttributeSet> found = matching(indexKey, query);
      if (found.size() > 1) {
        return super.handleGet(path); // the store answers with the first in its own order
      }
      if (found.isEmpty()) {
        return new MockResponse().setResponseCode(HttpURLConnection.HTTP_NOT_FOUND);
      }
      String body = getMap().get(found.get(0));
      return body == null ? super.handleGet(path)
          : new MockResponse().setResponseCode(HttpURLConnection.HTTP_OK).setBody(body);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** What POST, PUT and PATCH look up (under the store's write lock). */
  @Override
  public Map.Entry<AttributeSet, String> findResource(AttributeSet attributes) {
    List<Attribute> indexKey = indexKeyOfQuery(attributes);
    if (indexKey == null) {
      return super.findResource(attributes);
    }
    List<AttributeSet> found = matching(indexKey, attributes);
    if (found.size() > 1) {
      return super.findResource(attributes);
    }
    if (found.isEmpty()) {
      return null;
    }
    String body = getMap().get(found.get(0));
    return body == null ? super.findResource(attributes) : Map.entry(found.get(0), body);
  }

  /** Every change of the store's map passes here (under the store's write lock): the index follows it. */
  @Override
  public void processEvent(String path, AttributeSet pathAttributes, AttributeSet oldAttributes,
      GenericKubernetesResource resource, String newState) {
    super.processEvent(path, pathAttributes, oldAttributes, resource, newState);
    synchronized (indexLock) {
      if (oldAttributes != null) {
        unindex(oldAttributes);
      }
      if (newState != null) {
        // the key the store has just computed for the new state, computed the same way
        AttributeSet stored = resource != null ? extractor.extract(resource) : extractor.fromResource(newState);
        if (!stored.containsKey(PLURAL)) {
          stored = AttributeSet.merge(pathAttributes, stored);
        }
        if (getMap().containsKey(stored)) {
          index(stored);
        } else {
          stale = true;
        }
      }
    }
  }

  /** The stored keys under this (plural, name) that match the query, in the store's order. */
  private List<AttributeSet> matching(List<Attribute> indexKey, AttributeSet query) {
    synchronized (indexLock) {
      if (stale) {
        rebuild();
      }
      List<AttributeSet> found = new ArrayList<>(1);
      for (AttributeSet stored : byName.getOrDefault(indexKey, Set.of())) {
        if (stored.matches(query)) {
          found.add(stored);
        }
      }
      return found;
    }
  }

  private void rebuild() {
    byName = new HashMap<>();
    synchronized (getMap()) {
      getMap().keySet().forEach(this::index);
    }
    stale = false;
  }

  private void index(AttributeSet stored) {
    List<Attribute> k = indexKeyOfStored(stored);
    if (k != null) {
      byName.computeIfAbsent(k, x -> new LinkedHashSet<>()).add(stored);
    }
  }

  private void unindex(AttributeSet stored) {
    List<Attribute> k = indexKeyOfStored(stored);
    Set<AttributeSet> bucket = k == null ? null : byName.get(k);
    if (bucket != null) {
      bucket.remove(stored);
      if (bucket.isEmpty()) {
        byName.remove(k);
      }
    }
  }

  /**
   * The index key of a query that can only match stored keys holding these very (plural, name)
   * attributes: both present as plain equality, one value each. Null otherwise (a field selector's
   * {@code metadata.name!=x}, a list): the store walks everything.
   */
  static List<Attribute> indexKeyOfQuery(AttributeSet query) {
    Attribute plural = query.getAttribute(PLURAL);
    Attribute name = query.getAttribute(NAME);
    if (plural == null || name == null || !equality(plural) || !equality(name)) {
      return null;
    }
    return List.of(plural, name);
  }

  private static List<Attribute> indexKeyOfStored(AttributeSet stored) {
    Attribute plural = stored.getAttribute(PLURAL);
    Attribute name = stored.getAttribute(NAME);
    return plural == null || name == null ? null : List.of(plural, name);
  }

  private static boolean equality(Attribute a) {
    return (a.getType() == null || a.getType() == AttributeType.WITH) && a.getValues().size() == 1;
  }

  private MockResponse writingUnindexed(java.util.function.Supplier<MockResponse> write) {
    return writing(() -> {
      MockResponse r = write.get();
      synchronized (indexLock) {
        stale = true;
      }
      return r;
    });
  }

  private <T> T writing(java.util.function.Supplier<T> write) {
    lock.writeLock().lock();
    try {
      return write.get();
    } finally {
      lock.writeLock().unlock();
    }
  }
}
