package org.fhirsnapshot.fetch;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.MultiMap;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import org.fhirsnapshot.contracts.internal.FhirSystemSettings;
import org.fhirsnapshot.contracts.internal.FhirSystemSettings.AuthSettings;
import org.fhirsnapshot.fetch.config.FetchConfig;
import org.jboss.logging.Logger;

/**
 * The Authorization header toward an EHR: none, a static bearer token, or an OAuth 2.0 client_credentials token
 * ({@code client-secret}: HTTP Basic client authentication at the system's {@code tokenUrl}), cached until shortly
 * before it expires. SMART Backend Services ({@code smart-backend}) is not supported yet and fails with
 * {@code auth}. Tokens and secrets are never logged and never appear in a failure message.
 */
@ApplicationScoped
public class EhrAuthorization {

    private static final Logger LOG = Logger.getLogger(EhrAuthorization.class);

    /** A token is renewed this long before it expires (or at half its life when that is shorter). */
    static final Duration RENEW_BEFORE_EXPIRY = Duration.ofSeconds(60);
    /** When the token endpoint does not say how long a token lasts. */
    static final Duration DEFAULT_TOKEN_LIFETIME = Duration.ofMinutes(5);

    private final WebClient web;
    private final FetchConfig config;
    private final Clock clock;
    private final Map<String, CachedToken> tokens = new ConcurrentHashMap<>();

    @Inject
    public EhrAuthorization(WebClient web, FetchConfig config) {
        this(web, config, Clock.systemUTC());
    }

    EhrAuthorization(WebClient web, FetchConfig config, Clock clock) {
        this.web = web;
        this.config = config;
        this.clock = clock;
    }

    /** A token request and, once it answered, when its token is issued and must be renewed. */
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
            case "bearer" -> isBlank(auth.token())
                    ? Uni.createFrom().failure(new FetchFailure(ErrorClass.AUTH,
                            "the FHIR system's bearer authentication has no token configured"))
                    : Uni.createFrom().item(Optional.of("Bearer " + auth.token()));
            case "client-secret" -> clientCredentialsToken(system, rejected).map(Optional::of);
            case "smart-backend" -> Uni.createFrom().failure(new FetchFailure(ErrorClass.AUTH,
                    "SMART Backend Services authentication is not supported by the fetch worker yet; "
                            + "configure none, bearer or client-secret for this FHIR system"));
            default -> Uni.createFrom().failure(new FetchFailure(ErrorClass.AUTH,
                    "the FHIR system has an unknown authentication type; use none, bearer or client-secret"));
        };
    }

    /** Whether a 401 may be cured by fetching a fresh token. */
    public boolean renewable(FhirSystemSettings system) {
        return system.auth() != null && "client-secret".equalsIgnoreCase(system.auth().type());
    }

    private Uni<String> clientCredentialsToken(FhirSystemSettings system, String rejected) {
        AuthSettings auth = system.auth();
        if (isBlank(auth.tokenUrl()) || isBlank(auth.clientId()) || isBlank(auth.clientSecret())) {
            return Uni.createFrom().failure(new FetchFailure(ErrorClass.AUTH,
                    "the FHIR system's client-secret authentication needs a token URL, a client id and a secret"));
        }
        String key = cacheKey(system.id(), auth);
        Instant now = clock.instant();
        // Concurrent fetches share one token request (memoized); after a 401, only the rejected token is replaced
        // (another fetch may have replaced it already).
        CachedToken cached = tokens.compute(key, (k, current) -> {
            if (current != null && (current.pending()
                    || (rejected == null && now.isBefore(current.renewAt))
                    || (rejected != null && !rejected.equals(current.value)))) {
                return current;
            }
            return newToken(auth);
        });
        return cached.header.onFailure().invoke(e -> tokens.remove(key, cached));
    }

    private CachedToken newToken(AuthSettings auth) {
        CachedToken[] self = new CachedToken[1];
        Uni<String> header = requestToken(auth).map(answer -> {
            self[0].value = answer.header();
            self[0].renewAt = renewAt(clock.instant(), answer.lifetime());
            return answer.header();
        }).memoize().indefinitely();
        self[0] = new CachedToken(header);
        return self[0];
    }

    private Uni<TokenAnswer> requestToken(AuthSettings auth) {
        MultiMap form = MultiMap.caseInsensitiveMultiMap().add("grant_type", "client_credentials");
        if (!isBlank(auth.scope())) {
            form.add("scope", auth.scope());
        }
        String basic = Base64.getEncoder().encodeToString((urlEncode(auth.clientId()) + ":"
                + urlEncode(auth.clientSecret())).getBytes(StandardCharsets.UTF_8));
        return Uni.createFrom().deferred(() -> web.postAbs(auth.tokenUrl())
                .putHeader("Authorization", "Basic " + basic)
                .putHeader("Accept", "application/json")
                .timeout(config.readTimeout().toMillis())
                .sendForm(form))
                .onFailure().transform(EhrAuthorization::transportFailure)
                .map(EhrAuthorization::tokenOf)
                .onFailure().invoke(e -> LOG.debugf("a token request failed: %s", e.getMessage()));
    }

    private record TokenAnswer(String header, Duration lifetime) {
    }

    private static TokenAnswer tokenOf(HttpResponse<Buffer> response) {
        if (response.statusCode() != 200) {
            throw new FetchFailure(response.statusCode() >= 500 ? ErrorClass.SERVER_ERROR : ErrorClass.AUTH,
                    "the EHR's token endpoint refused the client credentials (HTTP " + response.statusCode() + ")");
        }
        JsonNode body = FhirJson.parse(response.body() == null ? null : response.body().getBytes()).orElse(null);
        String token = body == null ? "" : body.path("access_token").asText("");
        if (token.isEmpty()) {
            throw new FetchFailure(ErrorClass.AUTH, "the EHR's token endpoint answered without an access token");
        }
        long seconds = body.path("expires_in").asLong(0);
        Duration lifetime = seconds > 0 ? Duration.ofSeconds(seconds) : DEFAULT_TOKEN_LIFETIME;
        return new TokenAnswer("Bearer " + token, lifetime);
    }

    static Instant renewAt(Instant issuedAt, Duration lifetime) {
        Duration margin = lifetime.dividedBy(2).compareTo(RENEW_BEFORE_EXPIRY) < 0
                ? lifetime.dividedBy(2)
                : RENEW_BEFORE_EXPIRY;
        return issuedAt.plus(lifetime).minus(margin);
    }

    static FetchFailure transportFailure(Throwable failure) {
        if (failure instanceof FetchFailure fetchFailure) {
            return fetchFailure;
        }
        if (failure instanceof TimeoutException) {
            return new FetchFailure(ErrorClass.TIMEOUT, "the EHR's token endpoint did not answer in time");
        }
        return new FetchFailure(ErrorClass.NETWORK, "the EHR's token endpoint could not be reached"
                + (failure instanceof ConnectException ? " (connection refused)" : ""));
    }

    private static String cacheKey(long systemId, AuthSettings auth) {
        return systemId + "|" + auth.tokenUrl() + "|" + auth.clientId() + "|" + sha256(auth.clientSecret()) + "|"
                + auth.scope();
    }

    private static String sha256(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    private static String urlEncode(String value) {
        return java.net.URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }
}
