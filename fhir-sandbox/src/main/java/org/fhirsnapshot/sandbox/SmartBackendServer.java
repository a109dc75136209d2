package org.fhirsnapshot.sandbox;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.lang.JoseException;

/**
 * The OAuth 2.0 side of the sandbox: one registered client and the opaque bearer tokens issued to it. The client
 * authenticates either as SMART Backend Services ({@link #require}: id, public key; {@code private_key_jwt}
 * assertions checked with jose4j) or with a client secret ({@link #requireClientSecret}: HTTP Basic, RFC 6749
 * §2.3.1). Disabled (every {@code /fhir} request passes) until one of them is called. Thread-safe.
 */
public final class SmartBackendServer {

    /** The {@code client_assertion_type} of SMART Backend Services. */
    public static final String JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
    /** The longest time ahead an assertion may expire. */
    static final int MAX_ASSERTION_MINUTES = 5;
    private static final int CLOCK_SKEW_SECONDS = 30;

    private final RequestCounters counters;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Instant> tokens = new ConcurrentHashMap<>();
    /** jti → when its assertion expires (then it can be forgotten). */
    private final Map<String, Instant> usedJwtIds = new ConcurrentHashMap<>();
    private volatile Registration registration;

    /** A registered client: a public key (SMART Backend Services) or a secret (client-secret), never both. */
    private record Registration(String clientId, PublicKey key, String secret, int tokenLifetimeSeconds) {
    }

    /** An answer of the token endpoint: HTTP status and JSON body. */
    public record TokenResponse(int status, Map<String, Object> body) {
    }

    SmartBackendServer(RequestCounters counters, Clock clock) {
        this.counters = counters;
        this.clock = clock;
    }

    /** Requires a token from {@code clientId}, whose assertions {@code key} verifies, on {@code /fhir}. */
    public void require(String clientId, PublicKey key, int tokenLifetimeSeconds) {
        if (clientId == null || clientId.isBlank() || key == null || tokenLifetimeSeconds < 1) {
            throw new IllegalArgumentException("SMART Backend Services needs a client id, a public key and a token "
                    + "lifetime of at least 1 s");
        }
        register(new Registration(clientId, key, null, tokenLifetimeSeconds));
    }

    /** Requires a token on {@code /fhir} from {@code clientId}, which authenticates with HTTP Basic and {@code secret}. */
    public void requireClientSecret(String clientId, String secret, int tokenLifetimeSeconds) {
        if (clientId == null || clientId.isBlank() || secret == null || secret.isEmpty() || tokenLifetimeSeconds < 1) {
            throw new IllegalArgumentException("client-secret authentication needs a client id, a secret and a token "
                    + "lifetime of at least 1 s");
        }
        register(new Registration(clientId, null, secret, tokenLifetimeSeconds));
    }

    private void register(Registration client) {
        registration = client;
        tokens.clear();
        usedJwtIds.clear();
    }

    /** As {@link #require(String, PublicKey, int)} with the public key as a JWK (JSON). */
    public void require(String clientId, String publicJwk, int tokenLifetimeSeconds) {
        PublicKey key;
        try {
            key = PublicJsonWebKey.Factory.newPublicJwk(publicJwk).getPublicKey();
        } catch (JoseException | RuntimeException e) {
            throw new IllegalArgumentException("Not a public JWK (RSA or EC): " + e.getMessage(), e);
        }
        require(clientId, key, tokenLifetimeSeconds);
    }

    /** No authorization any more: every {@code /fhir} request passes. */
    public void disable() {
        registration = null;
        tokens.clear();
        usedJwtIds.clear();
    }

    public boolean enabled() {
        return registration != null;
    }

    /** Whether {@code authorization} (the header value) carries a token issued here that has not expired. */
    boolean authorized(String authorization) {
        if (registration == null) {
            return true;
        }
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            Instant expires = tokens.get(authorization.substring(7).strip());
            if (expires != null && clock.instant().isBefore(expires)) {
                return true;
            }
        }
        counters.countUnauthorized();
        return false;
    }

    /**
     * The token endpoint, {@code grant_type=client_credentials}. A SMART Backend Services client sends
     * {@code client_assertion_type} = jwt-bearer and a {@code client_assertion} signed by the registered key, with
     * {@code iss = sub} = the client id, {@code aud} = {@code tokenEndpointUrl}, an {@code exp} at most 5 minutes
     * ahead and a {@code jti} not seen before; a client-secret client sends {@code Authorization: Basic} with its id
     * and secret, each form-urlencoded (RFC 6749 §2.3.1), and gets 401 {@code invalid_client} for a wrong one.
     *
     * @param authorization the request's Authorization header, or null
     */
    public TokenResponse token(String tokenEndpointUrl, Map<String, String> form, String authorization) {
        Registration client = registration;
        if (client == null) {
            return error(400, "invalid_client", "no OAuth client is registered on this sandbox");
        }
        if (!"client_credentials".equals(form.get("grant_type"))) {
            return error(400, "unsupported_grant_type", "grant_type must be client_credentials");
        }
        if (client.secret() != null) {
            return basicAuthenticated(client, authorization)
                    ? issue(client, form)
                    : error(401, "invalid_client", "unknown client or wrong client secret");
        }
        if (!JWT_BEARER.equals(form.get("client_assertion_type")) || form.get("client_assertion") == null) {
            return error(400, "invalid_request", "client_assertion_type must be " + JWT_BEARER
                    + " with a client_assertion");
        }
        JwtClaims claims;
        try {
            claims = new JwtConsumerBuilder()
                    .setVerificationKey(client.key())
                    .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT, "RS384", "ES384")
                    .setExpectedIssuer(client.clientId())
                    .setExpectedSubject(client.clientId())
                    .setExpectedAudience(tokenEndpointUrl)
                    .setRequireExpirationTime()
                    .setMaxFutureValidityInMinutes(MAX_ASSERTION_MINUTES)
                    .setAllowedClockSkewInSeconds(CLOCK_SKEW_SECONDS)
                    .setRequireJwtId()
                    .setEvaluationTime(org.jose4j.jwt.NumericDate.fromMilliseconds(clock.millis()))
                    .build()
                    .processToClaims(form.get("client_assertion"));
        } catch (InvalidJwtException e) {
            // jose4j's message quotes the assertion: only its error codes are given back.
            return error(400, "invalid_client", "the client assertion was refused (jose4j error codes "
                    + e.getErrorDetails().stream().map(detail -> String.valueOf(detail.getErrorCode())).toList()
                    + "): check its signing key, issuer, subject, audience, expiry and jti");
        }
        try {
            Instant now = clock.instant();
            usedJwtIds.values().removeIf(expiry -> expiry.isBefore(now.minusSeconds(CLOCK_SKEW_SECONDS)));
            Instant assertionExpiry = Instant.ofEpochSecond(claims.getExpirationTime().getValue());
            if (usedJwtIds.putIfAbsent(claims.getJwtId(), assertionExpiry) != null) {
                return error(400, "invalid_client", "the client assertion's jti was used before");
            }
            return issue(client, form);
        } catch (MalformedClaimException e) {
            return error(400, "invalid_client", "the client assertion has a malformed claim");
        }
    }

    private TokenResponse issue(Registration client, Map<String, String> form) {
        Instant now = clock.instant();
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        tokens.values().removeIf(expiry -> !now.isBefore(expiry));
        tokens.put(token, now.plusSeconds(client.tokenLifetimeSeconds()));
        counters.countTokenIssued();
        return new TokenResponse(200, Map.of("access_token", token, "token_type", "bearer", "expires_in",
                client.tokenLifetimeSeconds(), "scope", form.getOrDefault("scope", "system/*.read")));
    }

    /** HTTP Basic with the registered id and secret, each form-urlencoded before they were joined. */
    private static boolean basicAuthenticated(Registration client, String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return false;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(authorization.substring(6).strip()),
                    StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return false;
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return false;
        }
        String id = URLDecoder.decode(decoded.substring(0, colon), StandardCharsets.UTF_8);
        String secret = URLDecoder.decode(decoded.substring(colon + 1), StandardCharsets.UTF_8);
        return client.clientId().equals(id) && MessageDigest.isEqual(client.secret().getBytes(StandardCharsets.UTF_8),
                secret.getBytes(StandardCharsets.UTF_8));
    }

    private static TokenResponse error(int status, String error, String description) {
        return new TokenResponse(status, Map.of("error", error, "error_description", description));
    }
}
