package org.fhirsnapshot.security;

import io.quarkus.oidc.client.OidcClient;
import io.quarkus.oidc.client.Tokens;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.fhirsnapshot.localoidc.LocalTokenIssuer;

/**
 * This service's own bearer token for the internal APIs of the others (role {@link SecurityRoles#SERVICE}), cached
 * until a minute before it expires:
 * <ul>
 * <li>with {@code fhir-snapshot.security.local-key} (local stack, tests): signed here with the local key;</li>
 * <li>otherwise: from the OIDC provider with client credentials, through quarkus-oidc-client's default client
 * ({@code quarkus.oidc-client.auth-server-url}, {@code client-id}, {@code credentials.secret}).</li>
 * </ul>
 */
@ApplicationScoped
public class ServiceTokens {

    private static final Duration REFRESH_AHEAD = Duration.ofMinutes(1);

    private final SecurityConfig config;
    private final String serviceName;
    private final Instance<OidcClient> oidcClient;
    private final AtomicReference<Cached> cached = new AtomicReference<>();
    private volatile LocalTokenIssuer localIssuer;

    public ServiceTokens(SecurityConfig config, @ConfigProperty(name = "quarkus.application.name") String serviceName,
            Instance<OidcClient> oidcClient) {
        this.config = config;
        this.serviceName = serviceName;
        this.oidcClient = oidcClient;
    }

    /** A valid token (from the cache, or a new one). */
    public Uni<String> token() {
        Cached current = cached.get();
        if (current != null && Instant.now().isBefore(current.refreshAt())) {
            return Uni.createFrom().item(current.token());
        }
        if (config.localKey().isPresent()) {
            return Uni.createFrom().item(this::signLocally);
        }
        return oidcClient.get().getTokens().map(this::remember);
    }

    private String signLocally() {
        if (localIssuer == null) {
            localIssuer = LocalTokenIssuer.fromPem(config.localKey().orElseThrow());
        }
        Duration lifetime = config.serviceTokenLifetime();
        String token = localIssuer.issue(serviceName, List.of(SecurityRoles.SERVICE), config.rolesClaim(), lifetime);
        cached.set(new Cached(token, Instant.now().plus(lifetime).minus(REFRESH_AHEAD)));
        return token;
    }

    private String remember(Tokens tokens) {
        long expiresAt = tokens.getAccessTokenExpiresAt() != null
                ? tokens.getAccessTokenExpiresAt()
                : Instant.now().plus(Duration.ofMinutes(5)).getEpochSecond();
        cached.set(new Cached(tokens.getAccessToken(), Instant.ofEpochSecond(expiresAt).minus(REFRESH_AHEAD)));
        return tokens.getAccessToken();
    }

    private record Cached(String token, Instant refreshAt) {
    }
}
