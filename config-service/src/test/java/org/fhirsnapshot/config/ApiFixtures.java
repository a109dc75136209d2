package org.fhirsnapshot.config;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import java.util.Map;
import java.util.UUID;

/** Creates test data through the public API, each call with fresh names. */
final class ApiFixtures {

    private ApiFixtures() {
    }

    static String uniqueKey(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** A FHIR system without auth; returns its id. */
    static long createSystem() {
        return createSystem(Map.of("name", "Sandbox", "baseUrl", "http://127.0.0.1:8090/fhir"));
    }

    static long createSystem(Map<String, Object> body) {
        return given().contentType(ContentType.JSON).body(body)
                .when().post("/api/fhir-systems")
                .then().statusCode(201).extract().jsonPath().getLong("id");
    }

    /** An enabled project on a new FHIR system; returns its key. */
    static String createProject() {
        return createProject(createSystem());
    }

    static String createProject(long systemId) {
        String key = uniqueKey("p");
        given().contentType(ContentType.JSON)
                .body(Map.of("key", key, "name", "Project " + key, "fhirSystemId", systemId, "enabled", true))
                .when().post("/api/projects")
                .then().statusCode(201);
        return key;
    }

    /** Adds a mapping; returns its id. */
    static long createMapping(String projectKey, String name, String type, String spec) {
        return given().contentType(ContentType.JSON).body(Map.of("name", name, "type", type, "spec", spec))
                .when().post("/api/projects/{key}/mappings", projectKey)
                .then().statusCode(201).extract().jsonPath().getLong("id");
    }
}
