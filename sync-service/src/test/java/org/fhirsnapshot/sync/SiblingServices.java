package org.fhirsnapshot.sync;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Sets up test data through the public APIs of the real config-service and mrn-service that
 * {@code ServiceProcessTestResource} started, the way a user would.
 */
final class SiblingServices {

    private SiblingServices() {
    }

    static String configService() {
        return ConfigProvider.getConfig().getValue("quarkus.rest-client.config-service.url", String.class);
    }

    static String mrnService() {
        return ConfigProvider.getConfig().getValue("quarkus.rest-client.mrn-service.url", String.class);
    }

    /** A new enabled project on a new FHIR system; returns its key. */
    static String newProject() {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        long systemId = given().baseUri(configService()).contentType(ContentType.JSON)
                .body(Map.of("name", "test system " + suffix, "baseUrl", "http://127.0.0.1:9/fhir",
                        "auth", Map.of("type", "none")))
                .post("/api/fhir-systems").then().statusCode(201).extract().jsonPath().getLong("id");
        String key = "sync-" + suffix;
        given().baseUri(configService()).contentType(ContentType.JSON)
                .body(Map.of("key", key, "name", "Sync test " + suffix, "fhirSystemId", systemId, "enabled", true))
                .post("/api/projects").then().statusCode(201);
        return key;
    }

    /** Adds a predefined mapping at config-service; returns its id. */
    static long addMapping(String projectKey, String catalogKey) {
        return given().baseUri(configService()).contentType(ContentType.JSON)
                .body(Map.of("name", catalogKey, "type", "predefined", "spec", catalogKey))
                .post("/api/projects/{key}/mappings", projectKey).then().statusCode(201).extract().jsonPath()
                .getLong("id");
    }

    static void addMrns(String projectKey, String... mrns) {
        given().baseUri(mrnService()).contentType(ContentType.JSON).body(Map.of("mrns", List.of(mrns)))
                .post("/api/projects/{key}/mrns", projectKey).then().statusCode(200);
    }

    /** The project's instances at mrn-service (first 500). */
    static List<Map<String, Object>> instances(String projectKey) {
        return given().baseUri(mrnService()).queryParam("size", 500)
                .get("/api/projects/{key}/instances", projectKey).then().statusCode(200).extract().jsonPath()
                .getList("items");
    }

    static ValidatableResponse claim(long instanceId) {
        return given().baseUri(mrnService()).contentType(ContentType.JSON)
                .body(Map.of("instanceIds", List.of(instanceId), "workerId", "sync-service-test", "leaseSeconds", 60))
                .post("/internal/instances/claim").then().statusCode(200);
    }
}
