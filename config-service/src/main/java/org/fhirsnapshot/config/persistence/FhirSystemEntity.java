package org.fhirsnapshot.config.persistence;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import org.fhirsnapshot.config.FhirSystemAuth;
import org.fhirsnapshot.config.FhirSystemLimits;
import org.fhirsnapshot.config.FhirSystemTimeouts;

/**
 * A FHIR system row. Its secret columns ({@code authToken}, {@code authClientSecret}, {@code authPrivateKey}) hold
 * the values encrypted ({@code enc:v1:…}, see {@code FhirSystemSecrets}); they never leave the service except,
 * decrypted, through the internal settings call.
 */
@Entity
@Table(name = "fhir_system")
public class FhirSystemEntity {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    public String name;
    @Column(name = "base_url")
    public String baseUrl;
    @Column(name = "patient_identifier_system")
    public String patientIdentifierSystem;
    @Column(name = "auth_type")
    public String authType;
    @Column(name = "auth_token")
    public String authToken;
    @Column(name = "auth_token_url")
    public String authTokenUrl;
    @Column(name = "auth_client_id")
    public String authClientId;
    @Column(name = "auth_client_secret")
    public String authClientSecret;
    @Column(name = "auth_scope")
    public String authScope;
    @Column(name = "auth_private_key")
    public String authPrivateKey;
    @Column(name = "auth_key_id")
    public String authKeyId;
    @Column(name = "auth_algorithm")
    public String authAlgorithm;
    @Column(name = "max_concurrency")
    public int maxConcurrency;
    @Column(name = "requests_per_second")
    public int requestsPerSecond;
    @Column(name = "page_size")
    public int pageSize;
    @Column(name = "connect_timeout_seconds")
    public Integer connectTimeoutSeconds;
    @Column(name = "read_timeout_seconds")
    public Integer readTimeoutSeconds;
    @Column(name = "total_timeout_seconds")
    public Integer totalTimeoutSeconds;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "updated_at")
    public Instant updatedAt;

    /** Whether a secret (token, client secret or private key) is stored, without decrypting it. */
    public boolean hasSecret() {
        return authToken != null || authClientSecret != null || authPrivateKey != null;
    }

    /** The auth settings without their secrets (for views; {@code FhirSystemSecrets.auth} decrypts them). */
    public FhirSystemAuth authWithoutSecrets() {
        return new FhirSystemAuth(authType, null, authTokenUrl, authClientId, null, authScope, null, authKeyId,
                authAlgorithm);
    }

    /** Sets the auth settings that are not secret; {@code FhirSystemSecrets.store} sets the secret columns. */
    public void setAuthWithoutSecrets(FhirSystemAuth auth) {
        authType = auth.type();
        authTokenUrl = auth.tokenUrl();
        authClientId = auth.clientId();
        authScope = auth.scope();
        authKeyId = auth.keyId();
        authAlgorithm = auth.algorithm();
    }

    public FhirSystemLimits limits() {
        return new FhirSystemLimits(maxConcurrency, requestsPerSecond, pageSize);
    }

    public void setLimits(FhirSystemLimits limits) {
        maxConcurrency = limits.maxConcurrency();
        requestsPerSecond = limits.requestsPerSecond();
        pageSize = limits.pageSize();
    }

    public FhirSystemTimeouts timeouts() {
        return new FhirSystemTimeouts(connectTimeoutSeconds, readTimeoutSeconds, totalTimeoutSeconds);
    }

    public void setTimeouts(FhirSystemTimeouts timeouts) {
        connectTimeoutSeconds = timeouts.connectSeconds();
        readTimeoutSeconds = timeouts.readSeconds();
        totalTimeoutSeconds = timeouts.totalSeconds();
    }

    @Override
    public String toString() {
        return "FhirSystemEntity[id=" + id + ", name=" + name + ", baseUrl=" + baseUrl + ", authType=" + authType + "]";
    }
}
