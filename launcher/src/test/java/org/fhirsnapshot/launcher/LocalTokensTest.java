package org.fhirsnapshot.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tokens of a stack's local key: one key per data directory, roles as groups, the launcher's renewed token. */
class LocalTokensTest {

    @TempDir
    Path data;

    @Test
    void aSecondLoadOfTheDataDirectoryUsesTheSameKey() throws Exception {
        LocalTokens first = LocalTokens.loadOrCreate(data);

        LocalTokens again = LocalTokens.existing(data).orElseThrow();

        assertThat(again.privateKeyPem()).isEqualTo(first.privateKeyPem());
        String token = first.issue(LocalTokens.Role.MANAGER, "cohort-a", "bob", Duration.ofMinutes(5));
        assertThat(TokenCommandTest.groups(TokenCommandTest.verifiedClaims(token, data)))
                .containsExactly("project:cohort-a:manager");
    }

    @Test
    void aDirectoryWithoutAKeyHasNoTokens() {
        assertThat(LocalTokens.existing(data)).isEmpty();
    }

    @Test
    void aProjectRoleNeedsAValidProjectKeyAndAdminNone() {
        LocalTokens tokens = LocalTokens.loadOrCreate(data);

        assertThatThrownBy(() -> tokens.issue(LocalTokens.Role.READER, null, "bob", Duration.ofMinutes(5)))
                .hasMessageContaining("needs a project key");
        assertThatThrownBy(() -> tokens.issue(LocalTokens.Role.READER, "../x", "bob", Duration.ofMinutes(5)))
                .hasMessageContaining("needs a project key");
        assertThatThrownBy(() -> tokens.issue(LocalTokens.Role.ADMIN, "cohort-a", "bob", Duration.ofMinutes(5)))
                .hasMessageContaining("takes no project key");
    }

    @Test
    void theLaunchersAdminTokenIsReusedWhileValid() throws Exception {
        Supplier<String> tokens = LocalTokens.loadOrCreate(data).launcherAdminTokens();

        String token = tokens.get();

        assertThat(tokens.get()).isSameAs(token);
        var claims = TokenCommandTest.verifiedClaims(token, data);
        assertThat(TokenCommandTest.groups(claims)).containsExactly("admin");
        assertThat(claims.path("sub").asText()).isEqualTo(LocalTokens.LAUNCHER_USER);
    }

    @Test
    void itsDescriptionNeverShowsTheKey() {
        LocalTokens tokens = LocalTokens.loadOrCreate(data);

        assertThat(tokens.toString()).doesNotContain("PRIVATE KEY").doesNotContain(tokens.privateKeyPem()
                .substring(40, 80));
    }
}
