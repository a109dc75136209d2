package org.fhirsnapshot.sync;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;
import java.util.List;
import java.util.Map;

/** sync-service's public API as the tests call it. */
final class SyncTasks {

    private SyncTasks() {
    }

    /** The project's tasks, newest first (first 200). */
    static List<Map<String, Object>> of(String projectKey) {
        return given().queryParam("size", 200).get("/api/projects/{key}/tasks", projectKey).then().statusCode(200)
                .extract().jsonPath().getList("items");
    }

    static List<Map<String, Object>> of(String projectKey, String type) {
        return of(projectKey).stream().filter(task -> type.equals(task.get("type"))).toList();
    }

    static JsonPath detail(String projectKey, long id) {
        return given().get("/api/projects/{key}/tasks/{id}", projectKey, id).then().statusCode(200).extract()
                .jsonPath();
    }

    static List<String> log(String projectKey, long id) {
        return detail(projectKey, id).getList("log.message");
    }

    static ValidatableResponse request(String projectKey, Map<String, Object> body) {
        return given().contentType(ContentType.JSON).body(body).post("/api/projects/{key}/tasks", projectKey).then();
    }

    static long id(Map<String, Object> task) {
        return ((Number) task.get("id")).longValue();
    }
}
