package org.fhirsnapshot.console.session;

import io.quarkus.oidc.AuthorizationCodeTokens;
import io.quarkus.oidc.OidcRequestContext;
import io.quarkus.oidc.OidcTenantConfig;
import io.quarkus.oidc.TokenStateManager;
import io.quarkus.security.AuthenticationFailedException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.fhirsnapshot.console.config.ConsoleConfig;

/**
 * Keeps each session's ID, access and refresh tokens on the server, in memory: the browser's session cookie holds
 * only a random 256-bit id (43 characters, base64url), never a token. quarkus-oidc's default instead puts the
 * (encrypted) tokens themselves into the cookie.
 *
 * <ul>
 * <li>A session ends at logout (quarkus-oidc calls {@link #deleteTokens}), when its tokens are refreshed (a new id is
 * issued; the old one keeps working for {@link #REFRESH_GRACE} so that calls already under way do not fail), when the refresh token expires (its {@code exp}; else
 * {@code fhir-snapshot.console.session.fallback-lifetime}), or when more than
 * {@code fhir-snapshot.console.session.max-sessions} exist (the oldest goes).</li>
 * <li>Limits: one replica (or sticky sessions), and a restart ends every session; the provider's own session then makes
 * the next login a redirect without a form. For several replicas, quarkus-oidc-db-token-state-manager implements the
 * same interface on a database (configuration only, see console/README.md).</li>
 * </ul>
 */
@Alternative
@Priority(1)
@ApplicationScoped
public class SessionTokenStore implements TokenStateManager {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration PURGE_INTERVAL = Duration.ofMinutes(1);
    /**
     * quarkus-oidc's routing-context flag for a refresh (OidcIdentityProvider.REFRESH_TOKEN_GRANT_RESPONSE, package
     * private there: check it when upgrading Quarkus; the console's refresh test fails if it changes).
     */
    static final String REFRESHING = "refresh_token_grant_response";
    private static final String SUPERSEDED = SessionTokenStore.class.getName() + ".superseded";
    /**
     * How long a session id stays usable after a refresh replaced it: the page's calls already under way still carry
     * it, and must not all end in a new login.
     */
    static final Duration REFRESH_GRACE = Duration.ofSeconds(30);

    private final int maxSessions;
    private final Duration fallbackLifetime;
    private final Clock clock;
    /** Session id → tokens, oldest first. Guarded by {@code this}. */
    private final Map<String, Entry> sessions = new LinkedHashMap<>();
    private Instant nextPurge = Instant.MIN;

    @Inject
    public SessionTokenStore(ConsoleConfig config) {
        this(config.session().maxSessions(), config.session().fallbackLifetime(), Clock.systemUTC());
    }

    SessionTokenStore(int maxSessions, Duration fallbackLifetime, Clock clock) {
        if (maxSessions < 1) {
            throw new IllegalArgumentException("fhir-snapshot.console.session.max-sessions must be at least 1");
        }
        this.maxSessions = maxSessions;
        this.fallbackLifetime = fallbackLifetime;
        this.clock = clock;
    }

    @Override
    public Uni<String> createTokenState(RoutingContext routingContext, OidcTenantConfig oidcConfig,
            AuthorizationCodeTokens tokens, OidcRequestContext<String> requestContext) {
        return Uni.createFrom().item(() -> {
            String id = store(tokens);
            String superseded = routingContext == null ? null : routingContext.get(SUPERSEDED);
            if (superseded != null) {
                supersede(superseded, tokens);
            }
            return id;
        });
    }

    @Override
    public Uni<AuthorizationCodeTokens> getTokens(RoutingContext routingContext, OidcTenantConfig oidcConfig,
            String tokenState, OidcRequestContext<AuthorizationCodeTokens> requestContext) {
        return Uni.createFrom().item(() -> find(tokenState)).onItem().transformToUni(found -> found
                .map(tokens -> Uni.createFrom().item(tokens))
                // quarkus-oidc removes the cookie and asks for a new login (a 302, or 499 to a script).
                .orElseGet(() -> Uni.createFrom().failure(new AuthenticationFailedException("no such session"))));
    }

    @Override
    public Uni<Void> deleteTokens(RoutingContext routingContext, OidcTenantConfig oidcConfig, String tokenState,
            OidcRequestContext<Void> requestContext) {
        return Uni.createFrom().item(() -> {
            if (routingContext != null && Boolean.TRUE.equals(routingContext.get(REFRESHING))) {
                // A refresh: the new id follows in createTokenState; the old one lives on briefly (REFRESH_GRACE).
                routingContext.put(SUPERSEDED, tokenState);
            } else {
                remove(tokenState);
            }
            return null;
        });
    }

    /** Keeps the tokens under a new random id and returns the id. */
    synchronized String store(AuthorizationCodeTokens tokens) {
        Instant now = clock.instant();
        if (!now.isBefore(nextPurge) || sessions.size() >= maxSessions) {
            sessions.values().removeIf(entry -> !now.isBefore(entry.expiresAt()));
            nextPurge = now.plus(PURGE_INTERVAL);
        }
        Iterator<String> oldest = sessions.keySet().iterator();
        while (sessions.size() >= maxSessions && oldest.hasNext()) {
            oldest.next();
            oldest.remove();
        }
        String id = newId();
        sessions.put(id, new Entry(tokens, expiry(tokens, now)));
        return id;
    }

    /** The tokens of a live session. */
    synchronized Optional<AuthorizationCodeTokens> find(String id) {
        Entry entry = id == null ? null : sessions.get(id);
        if (entry == null) {
            return Optional.empty();
        }
        if (!clock.instant().isBefore(entry.expiresAt())) {
            sessions.remove(id);
            return Optional.empty();
        }
        return Optional.of(entry.tokens());
    }

    /** Lets a replaced session id use the new tokens for {@link #REFRESH_GRACE}, then end. */
    synchronized void supersede(String id, AuthorizationCodeTokens tokens) {
        Entry old = sessions.get(id);
        if (old != null) {
            Instant graceEnd = clock.instant().plus(REFRESH_GRACE);
            sessions.put(id, new Entry(tokens, graceEnd.isBefore(old.expiresAt()) ? graceEnd : old.expiresAt()));
        }
    }

    synchronized void remove(String id) {
        if (id != null) {
            sessions.remove(id);
        }
    }

    /** How many sessions are kept now (expired ones included until the next purge). */
    public synchronized int size() {
        return sessions.size();
    }

    private static String newId() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** When the refresh token expires (it is what keeps a session alive), else when the tokens do, else a default. */
    private Instant expiry(AuthorizationCodeTokens tokens, Instant now) {
        return jwtExpiry(tokens.getRefreshToken())
                .or(() -> tokens.getRefreshToken() == null ? jwtExpiry(tokens.getIdToken()) : Optional.empty())
                .orElse(now.plus(fallbackLifetime));
    }

    /**
     * The {@code exp} of a JWT, read without verifying it: the token came from the provider's token endpoint over the
     * console's own back channel, and the time only bounds how long it is kept.
     */
    static Optional<Instant> jwtExpiry(String token) {
        if (token == null) {
            return Optional.empty();
        }
        String[] parts = token.split("\\.");
        if (parts.length != 3) {
            return Optional.empty();
        }
        try {
            JsonObject claims = new JsonObject(
                    new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
            Long exp = claims.getLong("exp");
            return exp == null || exp <= 0 ? Optional.empty() : Optional.of(Instant.ofEpochSecond(exp));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private record Entry(AuthorizationCodeTokens tokens, Instant expiresAt) {
    }
}
