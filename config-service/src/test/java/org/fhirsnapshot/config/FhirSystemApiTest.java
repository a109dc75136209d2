package org.fhirsnapshot.config;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.fhirsnapshot.problem.Problem;
import org.fhirsnapshot.testinfra.KafkaTestResource;
import org.fhirsnapshot.testinfra.PostgresTestResource;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class)
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "config"))
class FhirSystemApiTest {

    @Test
    void secretsAreWriteOnlyInEveryResponse() throws Exception {
        String token = "tok-" + UUID.randomUUID();
        String clientSecret = "sec-" + UUID.randomUUID();
        String privateKey = FhirSystemAuthTest.pem(KeyPairGenerator.getInstance("RSA"), 2048);
        String keyBody = privateKey.lines().filter(line -> !line.startsWith("-----")).findFirst().orElseThrow();

        List<Map<String, Object>> auths = List.of(
                Map.of("type", "bearer", "token", token),
                Map.of("type", "client-secret", "tokenUrl", "https://ehr.example.org/oauth2/token", "clientId",
                        "client-1", "clientSecret", clientSecret, "scope", "system/*.read"),
                Map.of("type", "smart-backend", "clientId", "client-2", "privateKey", privateKey, "keyId", "k1"));
        for (Map<String, Object> auth : auths) {
            String created = given().contentType(ContentType.JSON)
                    .body(Map.of("name", "EHR", "baseUrl", "https://ehr.example.org/fhir", "auth", auth))
                    .when().post("/api/fhir-systems")
                    .then().statusCode(201)
                    .body("auth.type", equalTo(auth.get("type")))
                    .body("auth.hasSecret", equalTo(true))
                    .extract().asString();
            long id = io.restassured.path.json.JsonPath.from(created).getLong("id");
            String fetched = given().when().get("/api/fhir-systems/{id}", id).then().statusCode(200).extract()
                    .asString();
            String listed = given().queryParam("size", 500).when().get("/api/fhir-systems").then().statusCode(200)
                    .extract().asString();
            String updated = given().contentType(ContentType.JSON)
                    .body(Map.of("name", "EHR renamed", "baseUrl", "https://ehr.example.org/fhir", "auth", auth))
                    .when().put("/api/fhir-systems/{id}", id).then().statusCode(200).extract().asString();

            for (String json : List.of(created, fetched, listed, updated)) {
                // Neither the secrets nor their ciphertexts (enc:v1:…) are ever shown.
                assertThat(json).doesNotContain(token, clientSecret, keyBody, "\"token\"", "\"clientSecret\"",
                        "\"privateKey\"", SecretCipher.PREFIX);
            }
        }
    }

    @Test
    void clientSecretSystemShowsItsNonSecretSettings() {
        long id = ApiFixtures.createSystem(Map.of("name", "Epic", "baseUrl", "https://EHR.example.org/api/FHIR/R4/",
                "patientIdentifierSystem", "urn:oid:1.2.840.114350.1.13.0.1.7.5.737384.14",
                "auth", Map.of("type", "client-secret", "tokenUrl", "https://ehr.example.org/oauth2/token",
                        "clientId", "client-1", "clientSecret", "s", "scope", "system/*.read"),
                "limits", Map.of("maxConcurrency", 2)));

        given().when().get("/api/fhir-systems/{id}", id)
                .then().statusCode(200)
                .body("id", equalTo((int) id))
                .body("name", equalTo("Epic"))
                .body("baseUrl", equalTo("https://ehr.example.org/api/FHIR/R4"))
                .body("patientIdentifierSystem", equalTo("urn:oid:1.2.840.114350.1.13.0.1.7.5.737384.14"))
                .body("auth.clientId", equalTo("client-1"))
                .body("auth.tokenUrl", equalTo("https://ehr.example.org/oauth2/token"))
                .body("auth.scope", equalTo("system/*.read"))
                .body("limits.maxConcurrency", equalTo(2))
                .body("limits.requestsPerSecond", equalTo(20))
                .body("limits.pageSize", equalTo(100))
                .body("createdAt", not(nullValue()));
    }

    @Test
    void systemWithoutAuthOrLimitsTakesTheDefaults() {
        long id = ApiFixtures.createSystem();

        given().when().get("/api/fhir-systems/{id}", id)
                .then().statusCode(200)
                .body("auth.type", equalTo("none"))
                .body("auth.hasSecret", equalTo(false))
                .body("limits.maxConcurrency", equalTo(4))
                .body("limits.requestsPerSecond", equalTo(20))
                .body("limits.pageSize", equalTo(100));
    }

    @Test
    void invalidBaseUrlIsAProblemNamingTheField() {
        for (String baseUrl : List.of("ehr.example.org/fhir", "ftp://ehr.example.org/fhir",
                "https://ehr.example.org/fhir?x=1", "https://ehr.example.org/fhir#x")) {
            given().contentType(ContentType.JSON).body(Map.of("name", "EHR", "baseUrl", baseUrl))
                    .when().post("/api/fhir-systems")
                    .then().statusCode(400)
                    .contentType(Problem.MEDIA_TYPE)
                    .body("errors.field", hasItem("baseUrl"));
        }
    }

    @Test
    void missingFieldsAreAProblemNamingEachField() {
        given().contentType(ContentType.JSON)
                .body(Map.of("auth", Map.of("type", "kerberos"), "limits", Map.of("pageSize", 0)))
                .when().post("/api/fhir-systems")
                .then().statusCode(400)
                .contentType(Problem.MEDIA_TYPE)
                .body("errors.field", hasItem("name"))
                .body("errors.field", hasItem("baseUrl"))
                .body("errors.field", hasItem("auth.type"))
                .body("errors.field", hasItem("limits.pageSize"));
    }

    @Test
    void bearerWithoutTokenIsAProblem() {
        given().contentType(ContentType.JSON)
                .body(Map.of("name", "EHR", "baseUrl", "https://ehr.example.org/fhir", "auth",
                        Map.of("type", "bearer")))
                .when().post("/api/fhir-systems")
                .then().statusCode(400)
                .contentType(Problem.MEDIA_TYPE)
                .body("errors.field", hasItem("auth.token"));
    }

    @Test
    void updateKeepsTheStoredSecretWhenTheRequestLeavesItOut() {
        String token = "tok-" + UUID.randomUUID();
        long id = ApiFixtures.createSystem(Map.of("name", "EHR", "baseUrl", "https://ehr.example.org/fhir",
                "auth", Map.of("type", "bearer", "token", token)));

        given().contentType(ContentType.JSON)
                .body(Map.of("name", "EHR 2", "baseUrl", "https://ehr2.example.org/fhir", "auth",
                        Map.of("type", "bearer")))
                .when().put("/api/fhir-systems/{id}", id)
                .then().statusCode(200)
                .body("name", equalTo("EHR 2"))
                .body("baseUrl", equalTo("https://ehr2.example.org/fhir"))
                .body("auth.hasSecret", equalTo(true));

        given().when().get("/internal/fhir-systems/{id}", id)
                .then().statusCode(200)
                .body("auth.token", equalTo(token));
    }

    @Test
    void deleteIsRefusedWhileAProjectUsesTheSystem() {
        long id = ApiFixtures.createSystem();
        String project = ApiFixtures.createProject(id);

        given().when().delete("/api/fhir-systems/{id}", id)
                .then().statusCode(409)
                .contentType(Problem.MEDIA_TYPE)
                .body("detail", containsString(project));
        given().when().get("/api/fhir-systems/{id}", id).then().statusCode(200);
    }

    @Test
    void unusedSystemIsDeleted() {
        long id = ApiFixtures.createSystem();

        given().when().delete("/api/fhir-systems/{id}", id).then().statusCode(204);

        given().when().get("/api/fhir-systems/{id}", id)
                .then().statusCode(404)
                .contentType(Problem.MEDIA_TYPE);
        given().when().delete("/api/fhir-systems/{id}", id).then().statusCode(404);
    }

    @Test
    void listIsPaged() {
        ApiFixtures.createSystem();
        ApiFixtures.createSystem();

        given().queryParam("page", 0).queryParam("size", 1)
                .when().get("/api/fhir-systems")
                .then().statusCode(200)
                .body("page", equalTo(0))
                .body("size", equalTo(1))
                .body("items.size()", equalTo(1))
                .body("total", org.hamcrest.Matchers.greaterThanOrEqualTo(2));
        given().queryParam("size", 0).when().get("/api/fhir-systems")
                .then().statusCode(400).contentType(Problem.MEDIA_TYPE).body("errors.field", hasItem("size"));
    }

    @Test
    void checkReportsTheCapabilityStatement() throws IOException {
        HttpServer server = fhirServer(200, """
                {"resourceType":"CapabilityStatement","status":"active","fhirVersion":"4.0.1",
                 "software":{"name":"Test FHIR","version":"1.2.3"}}""");
        try {
            long id = ApiFixtures.createSystem(Map.of("name", "Local", "baseUrl",
                    "http://127.0.0.1:" + server.getAddress().getPort() + "/fhir/"));

            given().when().post("/api/fhir-systems/{id}/check", id)
                    .then().statusCode(200)
                    .body("reachable", equalTo(true))
                    .body("fhirVersion", equalTo("4.0.1"))
                    .body("software", equalTo("Test FHIR 1.2.3"))
                    .body("status", equalTo(200))
                    .body("detail", containsString("CapabilityStatement"));
        } finally {
            server.stop(0);
        }
    }

    @Test
    void checkSaysWhenTheServerAnswersWithAnError() throws IOException {
        HttpServer server = fhirServer(404, "{}");
        try {
            long id = ApiFixtures.createSystem(Map.of("name", "Local", "baseUrl",
                    "http://127.0.0.1:" + server.getAddress().getPort() + "/wrong"));

            given().when().post("/api/fhir-systems/{id}/check", id)
                    .then().statusCode(200)
                    .body("reachable", equalTo(false))
                    .body("status", equalTo(404))
                    .body("detail", containsString("HTTP 404"));
        } finally {
            server.stop(0);
        }
    }

    @Test
    void checkSaysWhenNothingListens() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        long id = ApiFixtures
                .createSystem(Map.of("name", "Gone", "baseUrl", "http://127.0.0.1:" + closedPort + "/fhir"));

        given().when().post("/api/fhir-systems/{id}/check", id)
                .then().statusCode(200)
                .body("reachable", equalTo(false))
                .body("status", nullValue())
                .body("detail", containsString("Could not connect to 127.0.0.1:" + closedPort));
    }

    @Test
    void checkOfUnknownSystemIsNotFound() {
        given().when().post("/api/fhir-systems/{id}/check", 987654321)
                .then().statusCode(404)
                .contentType(Problem.MEDIA_TYPE);
    }

    /** A stand-in for an external FHIR server: answers GET /fhir/metadata (or any path) with the given body. */
    private static HttpServer fhirServer(int status, String body) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            boolean metadata = exchange.getRequestURI().getPath().equals("/fhir/metadata")
                    && "application/fhir+json".equals(exchange.getRequestHeaders().getFirst("Accept"));
            int answer = status == 200 && !metadata ? 404 : status;
            exchange.getResponseHeaders().add("Content-Type", "application/fhir+json");
            exchange.sendResponseHeaders(answer, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
        return server;
    }
}
