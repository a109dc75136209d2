package org.fhirsnapshot.fetch;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.MultiMap;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.fhirsnapshot.contracts.internal.FhirSystemSettings;
import org.fhirsnapshot.contracts.internal.FhirSystemSettings.AuthSettings;
import org.fhirsnapshot.fetch.config.FetchConfig;
import org.jboss.logging.Logger;

/**
 * The Authorization header toward an EHR: none, a static bearer token, or an OAuth 2.0 client_credentials token,
 * cached until shortly before it expires: {@code client-secret} (HTTP Basic client authentication at the system's
 * {@code tokenUrl}) or {@code smart-backend} (SMART Backend Services: a {@code private_key_jwt} client assertion
 * signed RS384/ES384 with the system's private key, at the configured {@code tokenUrl} or the {@code token_endpoint}
 * of {@code {base}/.well-known/smart-configuration}). Tokens, keys and secrets are never logged and never appear in
 * a failure message.
 */
@ApplicationScoped
public class EhrAuthorization {

    private static final Logger LOG = Logger.getLogger(EhrAuthorization.class);

    /** A token is renewed this long before it expires (or at half its life when that is shorter). */
    static final Duration RENEW_BEFORE_EXPIRY = Duration.ofSeconds(60);
    /** When the token endpoint does not say how long a token lasts. */
    static final Duration DEFAULT_TOKEN_LIFETIME = Duration.ofMinutes(5);
    /** How far ahead a client assertion expires (SMART Backend Services: at most 5 minutes). */
    static final Duration ASSERTION_LIFETIME = Duration.ofMinutes(4);
    static final String JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    private final WebClient web;
    private final FetchConfig config;
    private final Clock clock;
    private final Map<String, CachedToken> tokens = new ConcurrentHashMap<>();
    /** The token endpoint discovered per FHIR base URL (memoized request; dropped when it fails). */
    private final Map<String, Uni<String>> discovered = new ConcurrentHashMap<>();

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
            case "smart-backend" -> smartBackendToken(system, rejected).map(Optional::of);
            default -> Uni.createFrom().failure(new FetchFailure(ErrorClass.AUTH, "the FHIR system has an unknown "
                    + "authentication type; use none, bearer, client-secret or smart-backend"));
        };
    }

    /** Whether a 401 may be cured by fetching a fresh token. */
    public boolean renewable(FhirSystemSettings system) {
        return system.auth() != null && ("client-secret".equalsIgnoreCase(system.auth().type())
                || "smart-backend".equalsIgnoreCase(system.auth().type()));
    }

    private Uni<String> clientCredentialsToken(FhirSystemSettings system, String rejected) {
        AuthSettings auth = system.auth();
        if (isBlank(auth.tokenUrl()) || isBlank(auth.clientId()) || isBlank(auth.clientSecret())) {
            return Uni.createFrom().failure(new FetchFailure(ErrorClass.AUTH,
                    "the FHIR system's client-secret authentication needs a token URL, a client id and a secret"));
        }
        return cachedToken(cacheKey(system.id(), auth), rejected, () -> requestToken(auth));
    }

    private Uni<String> smartBackendToken(FhirSystemSettings system, String rejected) {
        AuthSettings auth = system.auth();
        if (isBlank(auth.clientId()) || isBlank(auth.privateKey())) {
            return Uni.createFrom().failure(new FetchFailure(ErrorClass.AUTH,
                    "the FHIR system's smart-backend authentication needs a client id and a private key"));
        }
        String key = "smart|" + system.id() + "|" + system.baseUrl() + "|" + auth.tokenUrl() + "|" + auth.clientId()
                + "|" + sha256(auth.privateKey()) + "|" + auth.keyId() + "|" + auth.algorithm() + "|" + auth.scope();
        return cachedToken(key, rejected, () -> tokenEndpoint(system)
                .chain(endpoint -> requestSmartToken(auth, endpoint)));
    }

    private Uni<String> cachedToken(String key, String rejected, Supplier<Uni<TokenAnswer>> request) {
        Instant now = clock.instant();
        // Concurrent fetches share one token request (memoized); after a 401, only the rejected token is replaced
        // (another fetch may have replaced it already).
        CachedToken cached = tokens.compute(key, (k, current) -> {
            if (current != null && (current.pending()
                    || (rejected == null && now.isBefore(current.renewAt))
                    || (rejected != null && !rejected.equals(current.value)))) {
                return current;
            }
            return newToken(request.get());
        });
        return cached.header.onFailure().invoke(e -> tokens.remove(key, cached));
    }

    private CachedToken newToken(Uni<TokenAnswer> request) {
        CachedToken[] self = new CachedToken[1];
        Uni<String> header = request.map(answer -> {
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

    /** The configured token URL, else the {@code token_endpoint} of {@code {base}/.well-known/smart-configuration}. */
    private Uni<String> tokenEndpoint(FhirSystemSettings system) {
        if (!isBlank(system.auth().tokenUrl())) {
            return Uni.createFrom().item(system.auth().tokenUrl());
        }
        String base = system.baseUrl().endsWith("/") ? system.baseUrl() : system.baseUrl() + "/";
        Uni<String> discovery = discovered.computeIfAbsent(base, b -> Uni.createFrom()
                .deferred(() -> web.getAbs(b + ".well-known/smart-configuration")
                        .putHeader("Accept", "application/json")
                        .timeout(config.readTimeout().toMillis())
                        .send())
                .onFailure().transform(EhrAuthorization::transportFailure)
                .map(EhrAuthorization::tokenEndpointOf)
                .memoize().indefinitely());
        return discovery.onFailure().invoke(e -> discovered.remove(base, discovery));
    }

    private static String tokenEndpointOf(HttpResponse<Buffer> response) {
        String message = "the FHIR system publishes no usable token_endpoint in .well-known/smart-configuration "
                + "(HTTP " + response.statusCode() + "); configure auth.tokenUrl";
        if (response.statusCode() != 200) {
            throw new FetchFailure(response.statusCode() >= 500 ? ErrorClass.SERVER_ERROR : ErrorClass.AUTH, message);
        }
        JsonNode body = FhirJson.parse(response.body() == null ? null : response.body().getBytes()).orElse(null);
        String endpoint = body == null ? "" : body.path("token_endpoint").asText("");
        if (!endpoint.startsWith("https://") && !endpoint.startsWith("http://")) {
            throw new FetchFailure(ErrorClass.AUTH, message);
        }
        return endpoint;
    }

    private Uni<TokenAnswer> requestSmartToken(AuthSettings auth, String endpoint) {
        return Uni.createFrom().deferred(() -> {
            // Signing takes about a millisecond and happens once per token: fine on the event loop.
            String assertion = clientAssertion(auth, endpoint, clock.instant());
            MultiMap form = MultiMap.caseInsensitiveMultiMap()
                    .add("grant_type", "client_credentials")
                    .add("client_assertion_type", JWT_BEARER)
                    .add("client_assertion", assertion);
            if (!isBlank(auth.scope())) {
                form.add("scope", auth.scope());
            }
            return web.postAbs(endpoint)
                    .putHeader("Accept", "application/json")
                    .timeout(config.readTimeout().toMillis())
                    .sendForm(form)
                    .onFailure().transform(EhrAuthorization::transportFailure);
        }).map(EhrAuthorization::tokenOf)
                .onFailure().invoke(e -> LOG.debugf("a SMART token request failed: %s", e.getMessage()));
    }

    /**
     * The SMART Backend Services client assertion: {@code iss = sub = clientId}, {@code aud} = the token endpoint, a
     * fresh {@code jti}, {@code exp} {@link #ASSERTION_LIFETIME} ahead, header {@code kid} and {@code alg}.
     *
     * @throws FetchFailure {@code auth} when the key or algorithm cannot be used (the message names no secret)
     */
    static String clientAssertion(AuthSettings auth, String tokenEndpoint, Instant now) {
        String algorithm = isBlank(auth.algorithm()) ? "RS384" : auth.algorithm().strip().toUpperCase(Locale.ROOT);
        SignatureAlgorithm signature = switch (algorithm) {
            case "RS384" -> SignatureAlgorithm.RS384;
            case "ES384" -> SignatureAlgorithm.ES384;
            default -> throw new FetchFailure(ErrorClass.AUTH,
                    "the FHIR system's smart-backend algorithm must be RS384 or ES384");
        };
        PrivateKey key = privateKey(auth.privateKey(), algorithm);
        try {
            var builder = Jwt.claims()
                    .issuer(auth.clientId())
                    .subject(auth.clientId())
                    .audience(tokenEndpoint)
                    .claim("jti", UUID.randomUUID().toString())
                    .issuedAt(now.getEpochSecond())
                    .expiresAt(now.plus(ASSERTION_LIFETIME).getEpochSecond())
                    .jws().algorithm(signature);
            if (!isBlank(auth.keyId())) {
                builder.keyId(auth.keyId());
            }
            return builder.sign(key);
        } catch (RuntimeException e) {
            throw new FetchFailure(ErrorClass.AUTH,
                    "the client assertion could not be signed with the FHIR system's smart-backend key");
        }
    }

    private static PrivateKey privateKey(String pem, String algorithm) {
        try {
            String body = pem.replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "");
            byte[] der = Base64.getMimeDecoder().decode(body);
            return KeyFactory.getInstance(algorithm.startsWith("RS") ? "RSA" : "EC")
                    .generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            throw new FetchFailure(ErrorClass.AUTH, "the FHIR system's smart-backend private key is not a PKCS#8 "
                    + (algorithm.startsWith("RS") ? "RSA" : "EC") + " key, which " + algorithm + " needs");
        }
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
