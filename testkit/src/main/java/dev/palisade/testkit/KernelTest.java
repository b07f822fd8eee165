package dev.palisade.testkit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test that needs the real kernel with CAP_NET_ADMIN (nftables, conntrack, network
 * namespaces). Locally without the capability it is skipped with a message saying why; with
 * {@code CI=true} a missing capability fails the test instead, so CI can never pass by skipping.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag("kernel")
@ExtendWith(KernelCondition.class)
public @interface KernelTest {}
