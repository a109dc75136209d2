package org.fhirsnapshot.fetch;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.ext.web.client.WebClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.fhirsnapshot.contracts.internal.FhirSystemSettings;
import org.fhirsnapshot.contracts.internal.FhirSystemSettings.AuthSettings;
import org.fhirsnapshot.ehrauth.AccessToken;
import org.fhirsnapshot.ehrauth.EhrAuthException;
import org.fhirsnapshot.ehrauth.EhrTokenClient;
import org.fhirsnapshot.fetch.config.FetchConfig;
import org.jboss.logging.Logger;

/**
 * The Authorization header toward an EHR: none, a static bearer token, or an OAuth 2.0 client_credentials token
 * ({@code client-secret} or SMART Backend Services {@code smart-backend}) obtained by ehr-auth's
 * {@link EhrTokenClient} and cached here until shortly before it expires. Concurrent fetches share one token request;
 * the discovered token endpoint of a system is kept for as long as its token requests succeed. Tokens, keys and
 * secrets are never logged and never appear in a failure message.
 */
@ApplicationScoped
public class EhrAuthorization {

    private static final Logger LOG = Logger.getLogger(EhrAuthorization.class);

    /** A token is renewed this long before it expires (or at half its life when that is shorter). */
    static final Duration RENEW_BEFORE_EXPIRY = Duration.ofSeconds(60);

    private final EhrTokenClient tokenClient;
    private final Clock clock;
    private final Map<String, CachedToken> tokens = new ConcurrentHashMap<>();
    /** The token endpoint per system settings (memoized discovery; dropped when it or a token request fails). */
    private final Map<String, Uni<String>> endpoints = new ConcurrentHashMap<>();

    @Inject
    public EhrAuthorization(WebClient web, FetchConfig config) {
        this(new EhrTokenClient(web, Clock.systemUTC(), config.readTimeout()), Clock.systemUTC());
    }

    EhrAuthorization(EhrTokenClient tokenClient, Clock clock) {
        this.tokenClient = tokenClient;
        this.clock = clock;
    }

    /** A token request and, once it answered, its value and when it must be renewed. */
    private static final class CachedToken {
        private final Uni<String> header;
        private volatile String value;
        private volatile Instant renewAt;

        CachedToken(Uni<String> header) {
            this.header = header;
        }

        boolean pending() {
            return renewAt == null;
        }
    }

    /**
     * The Authorization header value for the system, or empty for {@code none}.
     *
     * @param rejected the header value the EHR just answered 401 to (a fresh token replaces it), or null
     */
    public Uni<Optional<String>> header(FhirSystemSettings system, String rejected) {
        AuthSettings auth = system.auth();
        String type = auth == null || auth.type() == null ? "none" : auth.type().toLowerCase(Locale.ROOT);
        return switch (type) {
            case "none" -> Uni.createFrom().item(Optional.empty());
            case "bearer" -> auth.token() == null || auth.token().isBlank()
                    ? Uni.createFrom().failure(new FetchFailure(ErrorClass.AUTH,
                            "the FHIR system's bearer authentication has no token configured"))
                    : Uni.createFrom().item(Optional.of("Bearer " + auth.token()));
            case "client-secret", "smart-backend" -> cachedToken(system, rejected).map(Optional::of);
            default -> Uni.createFrom().failure(new FetchFailure(ErrorClass.AUTH, "the FHIR system has an unknown "
                    + "authentication type; use none, bearer, client-secret or smart-backend"));
        };
    }

    /** Whether a 401 may be cured by fetching a fresh token. */
    public boolean renewable(FhirSystemSettings system) {
        return EhrTokenClient.requestsTokens(system);
    }

    private Uni<String> cachedToken(FhirSystemSettings system, String rejected) {
        String key = cacheKey(system);
        Instant now = clock.instant();
        // Concurrent fetches share one token request (memoized); after a 401, only the rejected token is replaced
        // (another fetch may have replaced it already).
        CachedToken cached = tokens.compute(key, (k, current) -> {
            if (current != null && (current.pending()
                    || (rejected == null && now.isBefore(current.renewAt))
                    || (rejected != null && !rejected.equals(current.value)))) {
                return current;
            }
            return newToken(key, system);
        });
        return cached.header.onFailure().invoke(e -> tokens.remove(key, cached));
    }

    private CachedToken newToken(String key, FhirSystemSettings system) {
        CachedToken[] self = new CachedToken[1];
        Uni<String> header = tokenEndpoint(key, system)
                .chain(endpoint -> tokenClient.requestToken(system, endpoint)
                        .onFailure().invoke(e -> endpoints.remove(key)))
                .onFailure(EhrAuthException.class).transform(e -> asFetchFailure((EhrAuthException) e))
                .map((AccessToken token) -> {
                    self[0].value = token.headerValue();
                    self[0].renewAt = renewAt(clock.instant(), token.lifetime());
                    return token.headerValue();
                })
                .onFailure().invoke(e -> LOG.debugf("a token request of FHIR system %d failed: %s", system.id(),
                        e.getMessage()))
                .memoize().indefinitely();
        self[0] = new CachedToken(header);
        return self[0];
    }

    /** The configured token URL, else the discovered one, asked once per system settings. */
    private Uni<String> tokenEndpoint(String key, FhirSystemSettings system) {
        Uni<String> endpoint = endpoints.computeIfAbsent(key,
                k -> tokenClient.tokenEndpoint(system).memoize().indefinitely());
        return endpoint.onFailure().invoke(e -> endpoints.remove(key, endpoint));
    }

    /** ehr-auth's failure as the worker's error class: transport failures are retried, the rest is auth. */
    static FetchFailure asFetchFailure(EhrAuthException failure) {
        ErrorClass errorClass;
        if (failure.timeout()) {
            errorClass = ErrorClass.TIMEOUT;
        } else if (failure.kind() == EhrAuthException.Kind.UNREACHABLE) {
            errorClass = ErrorClass.NETWORK;
        } else if (failure.kind() == EhrAuthException.Kind.SERVER_ERROR) {
            errorClass = ErrorClass.SERVER_ERROR;
        } else {
            errorClass = ErrorClass.AUTH;
        }
        return new FetchFailure(errorClass, failure.getMessage());
    }

    static Instant renewAt(Instant issuedAt, Duration lifetime) {
        Duration margin = lifetime.dividedBy(2).compareTo(RENEW_BEFORE_EXPIRY) < 0
                ? lifetime.dividedBy(2)
                : RENEW_BEFORE_EXPIRY;
        return issuedAt.plus(lifetime).minus(margin);
    }

    /** Settings that would give another token give another key; secrets enter it only as a digest. */
    private static String cacheKey(FhirSystemSettings system) {
        AuthSettings auth = system.auth();
        return system.id() + "|" + auth.type() + "|" + system.baseUrl() + "|" + auth.tokenUrl() + "|"
                + auth.clientId() + "|" + sha256(auth.clientSecret()) + "|" + sha256(auth.privateKey()) + "|"
                + auth.keyId() + "|" + auth.algorithm() + "|" + auth.scope();
    }

    private static String sha256(String value) {
        if (value == null) {
            return "";
        }
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
