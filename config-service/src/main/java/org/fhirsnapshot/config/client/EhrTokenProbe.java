package org.fhirsnapshot.config.client;

import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.ext.web.client.WebClient;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import org.fhirsnapshot.config.FhirSystemCheck.TokenCheck;
import org.fhirsnapshot.config.config.FhirCheckConfig;
import org.fhirsnapshot.contracts.internal.FhirSystemSettings;
import org.fhirsnapshot.ehrauth.AccessToken;
import org.fhirsnapshot.ehrauth.EhrAuthException;
import org.fhirsnapshot.ehrauth.EhrTokenClient;
import org.jboss.logging.Logger;

/**
 * The token part of a FHIR system check: asks the system's token endpoint for a token exactly as fetch-worker does
 * (ehr-auth's {@link EhrTokenClient}: discovery, client assertion, client_credentials) and says whether it worked.
 * The token is dropped at once: it is never returned, logged or kept. Non-blocking (Vert.x web client).
 */
@ApplicationScoped
public class EhrTokenProbe {

    private static final Logger LOG = Logger.getLogger(EhrTokenProbe.class);

    private final WebClient web;
    private final EhrTokenClient tokens;

    public EhrTokenProbe(Vertx vertx, FhirCheckConfig config) {
        Duration timeout = config.timeout();
        this.web = WebClient.create(vertx, new WebClientOptions()
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()))
                .setFollowRedirects(false)
                .setUserAgent("fhir-snapshot-config-service"));
        this.tokens = new EhrTokenClient(web, Clock.systemUTC(), timeout);
    }

    @PreDestroy
    void close() {
        web.close();
    }

    public Uni<TokenCheck> check(FhirSystemSettings system) {
        String type = system.auth() == null || system.auth().type() == null
                ? "none"
                : system.auth().type().toLowerCase(Locale.ROOT);
        return switch (type) {
            case "none" -> Uni.createFrom().item(new TokenCheck(false, null, null, null, null, null,
                    "No token needed: the system is called without authentication."));
            case "bearer" -> Uni.createFrom().item(new TokenCheck(true, null, null, null, null, null,
                    "A static bearer token is configured; only a FHIR request can tell whether the EHR accepts it."));
            default -> obtain(system);
        };
    }

    private Uni<TokenCheck> obtain(FhirSystemSettings system) {
        boolean discovered = "smart-backend".equalsIgnoreCase(system.auth().type())
                && (system.auth().tokenUrl() == null || system.auth().tokenUrl().isBlank());
        return tokens.tokenEndpoint(system)
                .chain(endpoint -> tokens.requestToken(system, endpoint)
                        .map(token -> success(token, endpoint, discovered))
                        .onFailure().recoverWithItem(failure -> failed(failure, endpoint)))
                // Only a failed discovery gets here (the token request's failures are recovered above).
                .onFailure().recoverWithItem(failure -> failed(failure, null));
    }

    private static TokenCheck success(AccessToken token, String endpoint, boolean discovered) {
        long seconds = token.lifetime().toSeconds();
        String detail = "Obtained an access token"
                + (endpoint == null ? "" : " from " + endpoint)
                + (discovered ? " (found through .well-known/smart-configuration)" : "")
                + (token.lifetimeStated()
                        ? ", valid for " + seconds + " s"
                        : "; the answer does not say how long it lasts (no expires_in), so " + seconds
                                + " s is assumed")
                + ".";
        return new TokenCheck(true, true, seconds, endpoint, null, null, detail);
    }

    private static TokenCheck failed(Throwable failure, String endpoint) {
        if (failure instanceof EhrAuthException e) {
            return new TokenCheck(true, false, null, endpoint, e.status(), e.oauthError(), e.getMessage());
        }
        // Not an EhrAuthException: a defect. Its class only (a message might quote settings).
        LOG.warnf("the token check of a FHIR system failed unexpectedly: %s", failure.getClass().getName());
        return new TokenCheck(true, false, null, endpoint, null, null,
                "No token could be obtained: an unexpected error occurred; see the service log.");
    }
}
