package org.fhirsnapshot.localoidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalTokenIssuerTest {

    @TempDir
    Path dataDir;

    @Test
    void aTokenVerifiesWithThePublicKeyAndCarriesTheSubjectAndGroups() throws Exception {
        LocalTokenIssuer issuer = LocalTokenIssuer.loadOrCreate(dataDir);

        String token = issuer.issue("ada", List.of("project:demo:reader"), Duration.ofMinutes(5));

        JwtClaims claims = new JwtConsumerBuilder().setVerificationKey(issuer.publicKey())
                .setExpectedIssuer(LocalTokenIssuer.ISSUER).setRequireExpirationTime().build().processToClaims(token);
        assertThat(claims.getSubject()).isEqualTo("ada");
        assertThat(claims.getStringClaimValue("preferred_username")).isEqualTo("ada");
        assertThat(claims.getStringListClaimValue("groups")).containsExactly("project:demo:reader");
        assertThat(claims.getExpirationTime().getValueInMillis() - System.currentTimeMillis())
                .isBetween(Duration.ofMinutes(4).toMillis(), Duration.ofMinutes(5).toMillis());
    }

    @Test
    void theKeyIsKeptOwnerOnlyAndReusedSoTokensOutliveARestart() throws Exception {
        LocalTokenIssuer first = LocalTokenIssuer.loadOrCreate(dataDir);
        LocalTokenIssuer second = LocalTokenIssuer.loadOrCreate(dataDir);

        assertThat(second.publicKeyBase64()).isEqualTo(first.publicKeyBase64());
        assertThat(PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dataDir.resolve(LocalTokenIssuer.KEY_FILE)))).isEqualTo("rw-------");
        String token = first.issue("svc", List.of("service"), Duration.ofMinutes(1));
        new JwtConsumerBuilder().setVerificationKey(second.publicKey()).build().processToClaims(token);
    }

    @Test
    void aCallerWithoutRolesHasNoGroupsClaim() throws Exception {
        LocalTokenIssuer issuer = LocalTokenIssuer.loadOrCreate(dataDir);

        JwtClaims claims = new JwtConsumerBuilder().setVerificationKey(issuer.publicKey()).build()
                .processToClaims(issuer.issue("nobody", List.of(), Duration.ofMinutes(1)));

        assertThat(claims.hasClaim("groups")).isFalse();
        assertThat(claims.getSubject()).isEqualTo("nobody");
    }

    @Test
    void aTokenOfAnotherKeyDoesNotVerify(@TempDir Path otherDir) {
        String foreign = LocalTokenIssuer.loadOrCreate(otherDir).issue("eve", List.of("admin"), Duration.ofMinutes(1));
        LocalTokenIssuer ours = LocalTokenIssuer.loadOrCreate(dataDir);

        assertThatThrownBy(() -> new JwtConsumerBuilder().setVerificationKey(ours.publicKey()).build()
                .processToClaims(foreign)).isInstanceOf(InvalidJwtException.class);
    }

    @Test
    void aKeyThatIsNotAnRsaPrivateKeyIsRefusedWithoutEchoingIt() {
        assertThatThrownBy(
                () -> LocalTokenIssuer.fromPem("-----BEGIN PRIVATE KEY-----\nc2VjcmV0\n-----END PRIVATE KEY-----"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("c2VjcmV0");
    }
}
