package org.fhirsnapshot.archive;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import java.util.Map;
import org.eclipse.microprofile.config.ConfigProvider;
import org.fhirsnapshot.testinfra.TestTokens;

/** Projects created in the config-service process the tests run beside this service (as an admin). */
final class ConfigServiceProjects {

    private ConfigServiceProjects() {
    }

    /** A project with a FHIR system of its own that nothing fetches from (an address where nothing listens). */
    static void createUnfetched(String key, String name) {
        String admin = "Bearer " + TestTokens.admin();
        String configUrl = url("config-service");
        long systemId = given().baseUri(configUrl).header("Authorization", admin).contentType(ContentType.JSON)
                .body(Map.of("name", name, "baseUrl", "http://127.0.0.1:9/fhir", "auth", Map.of("type", "none")))
                .when().post("/api/fhir-systems").then().statusCode(201).extract().jsonPath().getLong("id");
        given().baseUri(configUrl).header("Authorization", admin).contentType(ContentType.JSON)
                .body(Map.of("key", key, "name", name, "fhirSystemId", systemId, "enabled", true))
                .when().post("/api/projects").then().statusCode(201);
    }

    /** The address of a sibling service process. */
    static String url(String service) {
        return ConfigProvider.getConfig().getValue("quarkus.rest-client." + service + ".url", String.class);
    }
}
