package org.relgraph.nativecpu;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.bytedeco.javacpp.annotation.Adapter;

/**
 * A buffer parameter that reaches C++ as {@code relgraph::Span}: the pointer together with the
 * Pointer's remaining length ({@code limit() - position()}), which the kernels check every offset
 * against. Pass Pointers whose limit is their allocated length (as {@code new FloatPointer(n)} and
 * {@code new IntPointer(int[])} make them).
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.PARAMETER})
@Adapter("relgraph::SpanAdapter")
public @interface Span {
  /** The element type, when it differs from the Pointer's (JavaCPP reads this element). */
  String value() default "";
}
