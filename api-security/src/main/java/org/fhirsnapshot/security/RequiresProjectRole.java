package org.fhirsnapshot.security;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The least role a caller needs in the project named by the {@code {key}} path parameter. {@link ProjectAccessFilter}
 * checks it before the method runs: a caller with no role in the project gets the same 404 as for a project that does
 * not exist; a caller with a lesser role gets 403. Every project-scoped {@code /api} method carries it (or
 * {@code @RolesAllowed("admin")}); one without either is refused.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface RequiresProjectRole {

    /** The least role. */
    ProjectRole value();
}
