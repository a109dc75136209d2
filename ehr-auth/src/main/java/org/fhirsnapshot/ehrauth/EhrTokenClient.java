package org.fhirsnapshot.ehrauth;

import io.smallrye.mutiny.Uni;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.MultiMap;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;
import org.fhirsnapshot.contracts.internal.FhirSystemSettings;
import org.fhirsnapshot.contracts.internal.FhirSystemSettings.AuthSettings;
import org.fhirsnapshot.ehrauth.EhrAuthException.Kind;

/**
 * Gets an OAuth 2.0 access token from an EHR with the {@code client_credentials} grant:
 * <ul>
 * <li>{@code client-secret}: HTTP Basic client authentication at the configured {@code tokenUrl};</li>
 * <li>{@code smart-backend} (SMART Backend Services): a {@link ClientAssertion} ({@code private_key_jwt}) at the
 * configured {@code tokenUrl}, else at the {@code token_endpoint} of {@code {base}/.well-known/smart-configuration}.</li>
 * </ul>
 * Non-blocking (Vert.x web client); no caching (a caller keeps tokens and discovered endpoints as it sees fit). Every
 * failure is an {@link EhrAuthException} whose message names no secret, token or key. Plain Java: construct it with
 * the caller's web client.
 */
public class EhrTokenClient {

    /** The timeout of one HTTP exchange when none is given. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    private static final int MAX_DESCRIPTION = 300;
    /** A base64url JSON object ({@code {"} encodes as {@code eyJ}) and whatever dotted parts follow it. */
    private static final Pattern JWT_LIKE = Pattern.compile("eyJ[A-Za-z0-9_\\-]*(\\.[A-Za-z0-9_\\-]*)*…?");

    private final WebClient web;
    private final Clock clock;
    private final Duration timeout;

    public EhrTokenClient(WebClient web, Clock clock) {
        this(web, clock, DEFAULT_TIMEOUT);
    }

    /**
     * @param timeout how long one exchange (discovery, token request) may stay without an answer
     */
    public EhrTokenClient(WebClient web, Clock clock, Duration timeout) {
        this.web = web;
        this.clock = clock;
        this.timeout = timeout;
    }

    /** Whether the system's auth type gets its tokens from a token endpoint ({@code client-secret}, {@code smart-backend}). */
    public static boolean requestsTokens(FhirSystemSettings system) {
        String type = type(system);
        return type.equals("client-secret") || type.equals("smart-backend");
    }

    /**
     * A fresh access token for the system ({@code client-secret} or {@code smart-backend}).
     *
     * @return the token, or a failure {@link EhrAuthException}
     */
    public Uni<AccessToken> requestToken(FhirSystemSettings system) {
        return Uni.createFrom().deferred(() -> switch (type(system)) {
            case "client-secret" -> clientSecretToken(system.auth());
            case "smart-backend" -> tokenEndpoint(system).chain(endpoint -> smartBackendToken(system.auth(), endpoint));
            case "none", "bearer" -> Uni.createFrom().failure(new EhrAuthException(Kind.CONFIGURATION,
                    "The FHIR system's authentication (" + type(system) + ") has no token endpoint to ask."));
            default -> Uni.createFrom().failure(new EhrAuthException(Kind.CONFIGURATION, "The FHIR system has an "
                    + "unknown authentication type; use none, bearer, client-secret or smart-backend."));
        });
    }

    /**
     * A fresh access token from a token endpoint the caller already knows (a discovered endpoint it keeps, or
     * {@link #tokenEndpoint(FhirSystemSettings)}'s answer): no discovery. For {@code client-secret} the configured
     * {@code tokenUrl} is used whatever {@code tokenEndpoint} says.
     */
    public Uni<AccessToken> requestToken(FhirSystemSettings system, String tokenEndpoint) {
        return Uni.createFrom().deferred(() -> switch (type(system)) {
            case "client-secret" -> clientSecretToken(system.auth());
            case "smart-backend" -> smartBackendToken(system.auth(), tokenEndpoint);
            default -> requestToken(system);
        });
    }

    /**
     * The token endpoint: the configured {@code tokenUrl}, else the {@code token_endpoint} of
     * {@code {baseUrl}/.well-known/smart-configuration}.
     */
    public Uni<String> tokenEndpoint(FhirSystemSettings system) {
        AuthSettings auth = system.auth();
        if (type(system).equals("smart-backend")) {
            try {
                ClientAssertion.requireSigningSettings(auth);
            } catch (EhrAuthException e) {
                return Uni.createFrom().failure(e);
            }
        }
        if (auth != null && !ClientAssertion.isBlank(auth.tokenUrl())) {
            return Uni.createFrom().item(auth.tokenUrl().strip());
        }
        if (ClientAssertion.isBlank(system.baseUrl())) {
            return Uni.createFrom().failure(new EhrAuthException(Kind.CONFIGURATION,
                    "The FHIR system has no base URL to discover its token endpoint from."));
        }
        String base = system.baseUrl().endsWith("/") ? system.baseUrl() : system.baseUrl() + "/";
        String url = base + ".well-known/smart-configuration";
        return Uni.createFrom().deferred(() -> web.getAbs(url)
                .putHeader("Accept", "application/json")
                .timeout(timeout.toMillis())
                .send())
                .onFailure().transform(failure -> transportFailure(failure, "the FHIR server's "
                        + ".well-known/smart-configuration", url))
                .map(EhrTokenClient::tokenEndpointOf);
    }

    private static String tokenEndpointOf(HttpResponse<Buffer> response) {
        int status = response.statusCode();
        if (status != 200) {
            throw new EhrAuthException(status >= 500 ? Kind.SERVER_ERROR : Kind.DISCOVERY, "The FHIR server answered "
                    + "HTTP " + status + " to GET .well-known/smart-configuration, so its token endpoint is unknown: "
                    + "set auth.tokenUrl, or check the base URL.", status, null, null);
        }
        JsonObject body = json(response);
        Object endpoint = body == null ? null : body.getValue("token_endpoint");
        if (!(endpoint instanceof String url) || !(url.startsWith("https://") || url.startsWith("http://"))) {
            throw new EhrAuthException(Kind.DISCOVERY, "The FHIR server's .well-known/smart-configuration has no "
                    + "usable token_endpoint (an absolute http(s) URL): set auth.tokenUrl.", status, null, null);
        }
        return url;
    }

    private Uni<AccessToken> clientSecretToken(AuthSettings auth) {
        if (ClientAssertion.isBlank(auth.tokenUrl()) || ClientAssertion.isBlank(auth.clientId())
                || ClientAssertion.isBlank(auth.clientSecret())) {
            return Uni.createFrom().failure(new EhrAuthException(Kind.CONFIGURATION, "The client-secret "
                    + "authentication needs a token URL, a client id and a client secret: set auth.tokenUrl, "
                    + "auth.clientId and auth.clientSecret."));
        }
        String url = auth.tokenUrl().strip();
        MultiMap form = MultiMap.caseInsensitiveMultiMap().add("grant_type", "client_credentials");
        if (!ClientAssertion.isBlank(auth.scope())) {
            form.add("scope", auth.scope());
        }
        // RFC 6749 §2.3.1: client id and secret are form-urlencoded before they are joined for HTTP Basic.
        String basic = Base64.getEncoder().encodeToString((urlEncode(auth.clientId()) + ":"
                + urlEncode(auth.clientSecret())).getBytes(StandardCharsets.UTF_8));
        return Uni.createFrom().deferred(() -> web.postAbs(url)
                .putHeader("Authorization", "Basic " + basic)
                .putHeader("Accept", "application/json")
                .timeout(timeout.toMillis())
                .sendForm(form))
                .onFailure().transform(failure -> transportFailure(failure, "the token endpoint", url))
                .map(EhrTokenClient::tokenOf);
    }

    private Uni<AccessToken> smartBackendToken(AuthSettings auth, String endpoint) {
        return Uni.createFrom().deferred(() -> {
            String assertion = ClientAssertion.sign(auth, endpoint, clock.instant());
            MultiMap form = MultiMap.caseInsensitiveMultiMap()
                    .add("grant_type", "client_credentials")
                    .add("client_assertion_type", ClientAssertion.TYPE)
                    .add("client_assertion", assertion);
            if (!ClientAssertion.isBlank(auth.scope())) {
                form.add("scope", auth.scope());
            }
            return web.postAbs(endpoint)
                    .putHeader("Accept", "application/json")
                    .timeout(timeout.toMillis())
                    .sendForm(form)
                    .onFailure().transform(failure -> transportFailure(failure, "the token endpoint", endpoint));
        }).map(EhrTokenClient::tokenOf);
    }

    private static AccessToken tokenOf(HttpResponse<Buffer> response) {
        int status = response.statusCode();
        JsonObject body = json(response);
        if (status != 200) {
            String error = body == null ? null : text(body.getValue("error"));
            String description = body == null ? null : shortened(text(body.getValue("error_description")));
            String oauth = error == null
                    ? ""
                    : " (" + error + (description == null ? "" : ": " + description) + ")";
            if (status >= 500) {
                throw new EhrAuthException(Kind.SERVER_ERROR, "The token endpoint failed with HTTP " + status + oauth
                        + ": try again later or ask the EHR's operators.", status, error, description);
            }
            throw new EhrAuthException(Kind.REFUSED, "The token endpoint refused the request with HTTP " + status
                    + oauth + ": " + hint(status, error), status, error, description);
        }
        String token = body == null ? null : text(body.getValue("access_token"));
        if (token == null) {
            throw new EhrAuthException(Kind.SERVER_ERROR, "The token endpoint answered HTTP 200 without an "
                    + "access_token" + (body == null ? " (the answer is not JSON)" : "") + ".", status, null, null);
        }
        String type = text(body.getValue("token_type"));
        if (type != null && !type.equalsIgnoreCase("bearer")) {
            throw new EhrAuthException(Kind.SERVER_ERROR, "The token endpoint issued a token of type " + shortened(type)
                    + ", but only bearer tokens are supported.", status, null, null);
        }
        Object expiresIn = body.getValue("expires_in");
        long seconds = expiresIn instanceof Number number ? number.longValue() : parseLong(text(expiresIn));
        boolean stated = seconds > 0;
        return new AccessToken("Bearer " + token, stated ? Duration.ofSeconds(seconds) : AccessToken.DEFAULT_LIFETIME,
                stated, text(body.getValue("scope")));
    }

    private static String hint(int status, String error) {
        if ("invalid_client".equals(error) || status == 401) {
            return "check the client id and its credentials (secret, or the public key registered for it).";
        }
        if ("invalid_scope".equals(error)) {
            return "check auth.scope against what the client is allowed.";
        }
        if ("unauthorized_client".equals(error)) {
            return "the client is not allowed the client_credentials grant; ask the EHR's administrators.";
        }
        return "check the token URL, the client id and its credentials.";
    }

    /** A failure of the HTTP exchange itself (no answer), in plain words without the URL's path or query. */
    static EhrAuthException transportFailure(Throwable failure, String what, String url) {
        if (failure instanceof EhrAuthException known) {
            return known;
        }
        String host = hostOf(url);
        if (isTimeout(failure)) {
            return new EhrAuthException(Kind.TIMEOUT, "No answer from " + what + " at " + host + " in time: check "
                    + "the address, the network path and any firewall.");
        }
        String reason;
        if (find(failure, UnknownHostException.class)) {
            reason = "the host name does not resolve";
        } else if (find(failure, ConnectException.class)) {
            reason = "the connection was refused";
        } else if (find(failure, SSLException.class)) {
            reason = "the TLS handshake failed (check the certificate and the scheme)";
        } else {
            reason = "the connection failed";
        }
        return new EhrAuthException(Kind.UNREACHABLE, "Could not reach " + what + " at " + host + ": " + reason
                + ".");
    }

    private static boolean isTimeout(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof TimeoutException || t.getClass().getSimpleName().contains("Timeout")) {
                return true;
            }
        }
        return false;
    }

    private static boolean find(Throwable failure, Class<? extends Throwable> type) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static String hostOf(String url) {
        try {
            URI uri = URI.create(url);
            return uri.getHost() == null
                    ? "an invalid address"
                    : uri.getHost() + (uri.getPort() >= 0
                            ? ":"
                                    + uri.getPort()
                            : "");
        } catch (IllegalArgumentException e) {
            return "an invalid address";
        }
    }

    private static JsonObject json(HttpResponse<Buffer> response) {
        Buffer body = response.body();
        if (body == null || body.length() == 0) {
            return null;
        }
        try {
            return new JsonObject(body.getDelegate());
        } catch (DecodeException | ClassCastException e) {
            return null;
        }
    }

    private static String text(Object value) {
        if (value instanceof String s && !s.isBlank()) {
            return s.strip();
        }
        return value instanceof Number ? value.toString() : null;
    }

    /** The EHR's own words, shortened, with anything shaped like a JWT (an echoed assertion or token) left out. */
    private static String shortened(String value) {
        if (value == null) {
            return null;
        }
        String redacted = JWT_LIKE.matcher(value).replaceAll("[a JWT, left out]");
        return redacted.length() <= MAX_DESCRIPTION ? redacted : redacted.substring(0, MAX_DESCRIPTION) + "…";
    }

    private static long parseLong(String value) {
        try {
            return value == null ? 0 : Long.parseLong(value);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String type(FhirSystemSettings system) {
        AuthSettings auth = system == null ? null : system.auth();
        return auth == null || auth.type() == null ? "none" : auth.type().strip().toLowerCase(Locale.ROOT);
    }

    private static String urlEncode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
