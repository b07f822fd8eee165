package dev.palisade.controller;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * fabric8's CRUD mock API server for a test class, as {@code @EnableKubernetesMockClient(crud = true)}
 * gives it (HTTPS, a client from the server's own {@code createClient()}, the same field injection),
 * but with {@link WatchEventsOnLoop} as its dispatcher, so that closing a watch while the mock sends
 * it an event cannot stop the server's event loop and fail the server's close. Static
 * {@code KubernetesClient} / {@code KubernetesMockServer} fields get one server for the class,
 * instance fields one server per test.
 *
 * <p>The lab and cli tests use it too, from palisade-controller's test-jar, which holds only this,
 * {@link MockApiServerExtension} and {@link WatchEventsOnLoop} (controller/pom.xml lists them: a
 * class these come to need goes on that list as well).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(MockApiServerExtension.class)
public @interface MockApiServer {}
