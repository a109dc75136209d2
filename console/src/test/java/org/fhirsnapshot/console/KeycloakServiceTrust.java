package org.fhirsnapshot.console;

import java.util.Map;
import java.util.function.Supplier;

/**
 * What makes the sibling services (test-infra's ServiceProcessTestResource, init arg {@code oidc}) trust
 * {@link ConsoleKeycloak}'s realm and get their service tokens from it, as on a local stack with Keycloak.
 */
public class KeycloakServiceTrust implements Supplier<Map<String, String>> {

    @Override
    public Map<String, String> get() {
        return ConsoleKeycloak.server().serviceProperties();
    }
}
