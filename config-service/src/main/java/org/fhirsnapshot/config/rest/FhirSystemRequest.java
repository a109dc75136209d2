package org.fhirsnapshot.config.rest;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.fhirsnapshot.config.FhirSystemAuth;
import org.fhirsnapshot.config.FhirSystemDefinition;
import org.fhirsnapshot.config.FhirSystemLimits;
import org.fhirsnapshot.config.FhirSystemTimeouts;

/** The body of {@code POST /api/fhir-systems} and {@code PUT /api/fhir-systems/{id}}. */
public record FhirSystemRequest(
        @NotBlank @Size(max = 200) String name,
        @NotBlank @Size(max = 2048) String baseUrl,
        @Size(max = 500) String patientIdentifierSystem,
        @Valid Auth auth,
        @Valid Limits limits,
        @Valid Timeouts timeouts) {

    /** Credentials toward the FHIR system; {@code token}, {@code clientSecret} and {@code privateKey} are write-only. */
    public record Auth(
            @NotBlank @Pattern(regexp = "none|bearer|client-secret|smart-backend", message = "must be one of none, bearer, client-secret, smart-backend") String type,
            @Size(max = 8192) String token,
            @Size(max = 2048) String tokenUrl,
            @Size(max = 500) String clientId,
            @Size(max = 2048) String clientSecret,
            @Size(max = 1000) String scope,
            @Size(max = 16384) String privateKey,
            @Size(max = 200) String keyId,
            @Pattern(regexp = "RS384|ES384", message = "must be RS384 or ES384") String algorithm) {

        @Override
        public String toString() {
            return "Auth[type=" + type + ", clientId=" + clientId + ", tokenUrl=" + tokenUrl + "]";
        }
    }

    /** Request limits; each one left out takes its default. */
    public record Limits(
            @Min(1) @Max(64) Integer maxConcurrency,
            @Min(1) @Max(1000) Integer requestsPerSecond,
            @Min(1) @Max(1000) Integer pageSize) {
    }

    /** Timeouts toward the system; each one left out (or null) is the worker's default. */
    public record Timeouts(
            @Min(value = 1, message = "must be 1 to 300 seconds (leave it out for the worker's default)") @Max(value = FhirSystemTimeouts.MAX_CONNECT_SECONDS, message = "must be 1 to 300 seconds (leave it out for the worker's default)") Integer connectSeconds,
            @Min(value = 1, message = "must be 1 to 3600 seconds (leave it out for the worker's default)") @Max(value = FhirSystemTimeouts.MAX_READ_SECONDS, message = "must be 1 to 3600 seconds (leave it out for the worker's default)") Integer readSeconds,
            @Min(value = 1, message = "must be 1 to 86400 seconds (leave it out for the worker's default)") @Max(value = FhirSystemTimeouts.MAX_TOTAL_SECONDS, message = "must be 1 to 86400 seconds (leave it out for the worker's default)") Integer totalSeconds) {
    }

    public FhirSystemDefinition toDefinition() {
        FhirSystemAuth domainAuth = auth == null
                ? FhirSystemAuth.none()
                : new FhirSystemAuth(auth.type(), auth.token(), auth.tokenUrl(), auth.clientId(), auth.clientSecret(),
                        auth.scope(), auth.privateKey(), auth.keyId(), auth.algorithm());
        FhirSystemLimits domainLimits = limits == null
                ? FhirSystemLimits.withDefaults(null, null, null)
                : FhirSystemLimits.withDefaults(limits.maxConcurrency(), limits.requestsPerSecond(),
                        limits.pageSize());
        FhirSystemTimeouts domainTimeouts = timeouts == null
                ? FhirSystemTimeouts.defaults()
                : new FhirSystemTimeouts(timeouts.connectSeconds(), timeouts.readSeconds(), timeouts.totalSeconds());
        return new FhirSystemDefinition(name, baseUrl, patientIdentifierSystem, domainAuth, domainLimits,
                domainTimeouts);
    }
}
