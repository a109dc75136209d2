package org.fhirsnapshot.sandbox;

import ca.uhn.fhir.context.FhirContext;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A sandbox started on a free port for one test class, with a client for it:
 * {@code @RegisterExtension static final RunningSandbox RUNNING = new RunningSandbox();}.
 */
final class RunningSandbox implements BeforeAllCallback, AfterAllCallback {

    private static final FhirContext FHIR = FhirContext.forR4Cached();

    private FhirSandbox sandbox;
    private SandboxClient client;

    @Override
    public void beforeAll(ExtensionContext context) {
        sandbox = FhirSandbox.start(0);
        client = new SandboxClient(FHIR, sandbox.baseUrl());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        sandbox.close();
    }

    FhirSandbox sandbox() {
        return sandbox;
    }

    SandboxClient client() {
        return client;
    }

    FhirContext fhir() {
        return FHIR;
    }
}
