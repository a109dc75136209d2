package org.fhirsnapshot.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.StreamSupport;
import org.fhirsnapshot.localoidc.LocalTokenIssuer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code ./fhir-snapshot token}: a token signed with the key that {@code up} keeps in its data directory, alone on
 * stdout; bad usage is exit code 2 with the reason on stderr and nothing on stdout.
 */
class TokenCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path data;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int token(String... options) {
        CommandLine command = FhirSnapshotCli.commandLine();
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(err, true));
        String[] args = new String[options.length + 3];
        args[0] = "token";
        args[1] = "--data";
        args[2] = data.toString();
        System.arraycopy(options, 0, args, 3, options.length);
        return command.execute(args);
    }

    private LocalTokens stackKey() {
        return LocalTokens.loadOrCreate(FhirSnapshotCli.stackDirectory(data));
    }

    @Test
    void aProjectRoleTokenIsSignedWithTheStacksKeyAndIsAllThatIsPrinted() throws Exception {
        stackKey();

        int exit = token("--role", "exporter", "--project", "cohort-a", "--user", "alice", "--lifetime", "30m");

        assertThat(exit).isZero();
        assertThat(err.toString()).isEmpty();
        String printed = out.toString();
        assertThat(printed).endsWith(System.lineSeparator());
        String token = printed.strip();
        assertThat(token).doesNotContainAnyWhitespaces();
        JsonNode claims = verifiedClaims(token, FhirSnapshotCli.stackDirectory(data));
        assertThat(claims.path("iss").asText()).isEqualTo(LocalTokenIssuer.ISSUER);
        assertThat(claims.path("sub").asText()).isEqualTo("alice");
        assertThat(groups(claims)).containsExactly("project:cohort-a:exporter");
        assertThat(claims.path("exp").asLong() - claims.path("iat").asLong()).isEqualTo(30 * 60);
    }

    @Test
    void anAdminTokenHoldsTheAdminGroupForAnHourByDefault() throws Exception {
        stackKey();

        assertThat(token("--role", "ADMIN")).isZero();

        JsonNode claims = verifiedClaims(out.toString().strip(), FhirSnapshotCli.stackDirectory(data));
        assertThat(groups(claims)).containsExactly("admin");
        assertThat(claims.path("exp").asLong() - claims.path("iat").asLong()).isEqualTo(3600);
        assertThat(claims.path("sub").asText()).isNotBlank();
    }

    @Test
    void aProjectRoleWithoutAProjectIsBadUsage() {
        stackKey();

        assertThat(token("--role", "reader")).isEqualTo(2);

        assertThat(out.toString()).isEmpty();
        assertThat(err.toString()).contains("--role reader is a role in one project: add --project KEY");
    }

    @Test
    void anInvalidProjectKeyRoleOrLifetimeIsBadUsageSayingWhatToFix() {
        stackKey();

        assertThat(token("--role", "manager", "--project", "Cohort_A")).isEqualTo(2);
        assertThat(token("--role", "owner", "--project", "cohort-a")).isEqualTo(2);
        assertThat(token("--role", "admin", "--project", "cohort-a")).isEqualTo(2);
        assertThat(token("--role", "admin", "--lifetime", "forever")).isEqualTo(2);
        assertThat(token("--role", "admin", "--lifetime", "31d")).isEqualTo(2);
        assertThat(token("--role", "admin", "--user", "alice smith")).isEqualTo(2);
        assertThat(token()).isEqualTo(2);

        assertThat(out.toString()).isEmpty();
        assertThat(err.toString()).contains("--project must be a project key: 1 to 64 of a-z, 0-9 and -")
                .contains("--role must be admin, reader, exporter or manager, not 'owner'")
                .contains("--role admin holds every project: leave out --project")
                .contains("--lifetime must be a number and a unit (s, m, h or d), from 1s to 30d")
                .contains("--user must be 1 to 64 of")
                .contains("Missing required option: '--role=ROLE'");
    }

    @Test
    void withoutAStackKeyItSaysToStartTheStackAndCreatesNoKey() {
        assertThat(token("--role", "admin")).isEqualTo(1);

        assertThat(out.toString()).isEmpty();
        assertThat(err.toString()).contains("No local key in").contains("start the stack there first");
        assertThat(LocalTokens.keyFile(FhirSnapshotCli.stackDirectory(data))).doesNotExist();
    }

    @Test
    void withKeycloakItLogsInAsTheRealmsUserForTheRoleAndPrintsOnlyTheToken() throws Exception {
        List<String> forms = new ArrayList<>();
        HttpServer keycloak = fakeKeycloakTokenEndpoint(forms, 200, "{\"access_token\":\"eyJ.from-keycloak.sig\","
                + "\"expires_in\":900}");
        try {
            keycloakStack(keycloak);

            assertThat(token("--role", "exporter", "--project", "cohort-a")).isZero();
            assertThat(token("--role", "admin")).isZero();
        } finally {
            keycloak.stop(0);
        }

        assertThat(err.toString()).isEmpty();
        assertThat(out.toString().lines()).containsExactly("eyJ.from-keycloak.sig", "eyJ.from-keycloak.sig");
        assertThat(forms).containsExactly(
                "grant_type=password&client_id=fhir-snapshot-cli&username=cohort-a-exporter&password=cohort-a-exporter",
                "grant_type=password&client_id=fhir-snapshot-cli&username=admin&password=admin");
        assertThat(LocalTokens.keyFile(FhirSnapshotCli.stackDirectory(data))).doesNotExist();
    }

    @Test
    void withKeycloakAnUnknownUserIsExitCodeOneSayingWhy() throws Exception {
        HttpServer keycloak = fakeKeycloakTokenEndpoint(new ArrayList<>(), 401,
                "{\"error\":\"invalid_grant\",\"error_description\":\"Invalid user credentials\"}");
        try {
            keycloakStack(keycloak);

            assertThat(token("--role", "reader", "--project", "nope")).isEqualTo(1);
        } finally {
            keycloak.stop(0);
        }

        assertThat(out.toString()).isEmpty();
        assertThat(err.toString()).contains("refused user nope-reader").contains("invalid_grant")
                .contains("Does project nope exist?");
    }

    @Test
    void withKeycloakStoppedItSaysToStartTheStack() throws Exception {
        HttpServer keycloak = fakeKeycloakTokenEndpoint(new ArrayList<>(), 200, "{}");
        keycloakStack(keycloak);
        keycloak.stop(0);

        assertThat(token("--role", "admin")).isEqualTo(1);

        assertThat(out.toString()).isEmpty();
        assertThat(err.toString()).contains("Keycloak does not answer at http://127.0.0.1:")
                .contains("is ./fhir-snapshot up --data");
    }

    @Test
    void withKeycloakUserAndLifetimeAreBadUsage() throws Exception {
        new StackIdentity(IdentityProvider.KEYCLOAK, "http://127.0.0.1:1").write(stackDirectoryCreated());

        assertThat(token("--role", "admin", "--user", "alice")).isEqualTo(2);
        assertThat(token("--role", "admin", "--lifetime", "2h")).isEqualTo(2);

        assertThat(out.toString()).isEmpty();
        assertThat(err.toString()).contains("this stack's tokens come from Keycloak")
                .contains("--user and --lifetime apply to a stack started with --no-keycloak");
    }

    @Test
    void aStackThatRecordedTheLocalKeyGetsLocallySignedTokens() throws Exception {
        stackKey();
        new StackIdentity(IdentityProvider.LOCAL_KEY, null).write(FhirSnapshotCli.stackDirectory(data));

        assertThat(token("--role", "admin")).isZero();

        assertThat(groups(verifiedClaims(out.toString().strip(), FhirSnapshotCli.stackDirectory(data))))
                .containsExactly("admin");
    }

    private Path stackDirectoryCreated() throws Exception {
        return Files.createDirectories(FhirSnapshotCli.stackDirectory(data));
    }

    private void keycloakStack(HttpServer keycloak) throws Exception {
        new StackIdentity(IdentityProvider.KEYCLOAK, "http://127.0.0.1:" + keycloak.getAddress().getPort())
                .write(stackDirectoryCreated());
    }

    /** Keycloak's token endpoint as far as the token command sees it: records each form, answers {@code body}. */
    private static HttpServer fakeKeycloakTokenEndpoint(List<String> forms, int status, String body)
            throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/realms/fhir-snapshot/protocol/openid-connect/token", exchange -> {
            forms.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            byte[] answer = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        server.start();
        return server;
    }

    /** The claims of an RS256 JWT whose signature the key in {@code stackData} verifies. */
    static JsonNode verifiedClaims(String jwt, Path stackData) throws Exception {
        String[] parts = jwt.split("\\.");
        assertThat(parts).hasSize(3);
        assertThat(JSON.readTree(Base64.getUrlDecoder().decode(parts[0])).path("alg").asText()).isEqualTo("RS256");
        Signature rs256 = Signature.getInstance("SHA256withRSA");
        rs256.initVerify(LocalTokenIssuer.fromPem(Files.readString(LocalTokens.keyFile(stackData))).publicKey());
        rs256.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        assertThat(rs256.verify(Base64.getUrlDecoder().decode(parts[2]))).as("signature").isTrue();
        return JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
    }

    static List<String> groups(JsonNode claims) {
        return StreamSupport.stream(claims.path("groups").spliterator(), false).map(JsonNode::asText).toList();
    }
}
