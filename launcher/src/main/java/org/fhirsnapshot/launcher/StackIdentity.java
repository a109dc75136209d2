package org.fhirsnapshot.launcher;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;

/**
 * Who issues the tokens of the stack started in a data directory, as {@link LocalStack} records it there at start
 * ({@value #FILE}), so that {@code ./fhir-snapshot token} finds the running stack's Keycloak (or its local key). It
 * holds no secret.
 *
 * @param provider the stack's identity provider
 * @param keycloakUrl Keycloak's base URL ({@code http://127.0.0.1:PORT}) with {@link IdentityProvider#KEYCLOAK},
 *        otherwise null
 */
public record StackIdentity(IdentityProvider provider, String keycloakUrl) {

    /** The file in the stack's data directory. */
    public static final String FILE = "identity.properties";

    public StackIdentity {
        if (provider == IdentityProvider.KEYCLOAK && (keycloakUrl == null || keycloakUrl.isBlank())) {
            throw new IllegalArgumentException("a Keycloak stack records Keycloak's URL");
        }
    }

    /** Records this in {@code dataDirectory}, replacing what an earlier start recorded. */
    public void write(Path dataDirectory) {
        Properties properties = new Properties();
        properties.setProperty("provider", provider.name());
        if (keycloakUrl != null) {
            properties.setProperty("keycloak-url", keycloakUrl);
        }
        try (Writer out = Files.newBufferedWriter(dataDirectory.resolve(FILE), StandardCharsets.UTF_8)) {
            properties.store(out, "Written by the local stack at start: who issues its tokens (no secret)");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dataDirectory.resolve(FILE), e);
        }
    }

    /** What a stack started in {@code dataDirectory} recorded, if one did. */
    public static Optional<StackIdentity> read(Path dataDirectory) {
        Path file = dataDirectory.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(in);
            return Optional.of(new StackIdentity(IdentityProvider.valueOf(properties.getProperty("provider", "")),
                    properties.getProperty("keycloak-url")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(file + " is damaged: start the stack again to rewrite it", e);
        }
    }
}
