package org.fhirsnapshot.ehrauth;

import java.time.Duration;
import java.util.Objects;

/**
 * An access token from an EHR's token endpoint. {@link #toString()} never shows the token.
 *
 * @param headerValue the {@code Authorization} header value, {@code Bearer <token>}
 * @param lifetime how long the token lasts from when it was issued: the answer's {@code expires_in}, or
 *        {@link #DEFAULT_LIFETIME} when the answer does not say
 * @param lifetimeStated whether the token endpoint stated the lifetime ({@code expires_in})
 * @param scope the scopes granted ({@code scope} of the answer), or null when not stated
 */
public record AccessToken(String headerValue, Duration lifetime, boolean lifetimeStated, String scope) {

    /** The lifetime assumed when the token endpoint gives no {@code expires_in}. */
    public static final Duration DEFAULT_LIFETIME = Duration.ofMinutes(5);

    public AccessToken {
        Objects.requireNonNull(headerValue, "headerValue");
        Objects.requireNonNull(lifetime, "lifetime");
    }

    /** A token of the given lifetime, stated by the token endpoint, without a scope. */
    public AccessToken(String headerValue, Duration lifetime) {
        this(headerValue, lifetime, true, null);
    }

    @Override
    public String toString() {
        return "AccessToken[lifetime=" + lifetime + (lifetimeStated ? "" : " (assumed)") + ", scope=" + scope + "]";
    }
}
