package org.fhirsnapshot.security;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** How a service reads roles from tokens and gets its own service token. */
@ConfigMapping(prefix = "fhir-snapshot.security")
public interface SecurityConfig {

    /**
     * The token claim that lists the caller's roles ({@code admin}, {@code service}, {@code project:{key}:{role}}).
     * quarkus-oidc reads roles from it ({@code quarkus.oidc.roles.role-claim-path} defaults to this value).
     */
    @WithDefault("groups")
    String rolesClaim();

    /**
     * The local stack's OIDC private key (PKCS#8 PEM or its base64 body), when no identity provider runs: the service
     * then signs its own service tokens with it. Unset in production, where quarkus-oidc-client's default client
     * gets them from the provider with client credentials. Pass it in the environment
     * ({@code FHIR_SNAPSHOT_SECURITY_LOCAL_KEY}), never on a command line.
     */
    Optional<String> localKey();

    /** How long a locally signed service token is valid. */
    @WithDefault("5m")
    Duration serviceTokenLifetime();
}
