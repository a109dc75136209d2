package org.fhirsnapshot.config;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.config.LogConfig;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.util.List;
import org.fhirsnapshot.problem.Problem;
import org.fhirsnapshot.testinfra.KafkaTestResource;
import org.fhirsnapshot.testinfra.PostgresTestResource;
import org.fhirsnapshot.testinfra.TestTokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Paging parameters that are not whole numbers in range, and bodies over the size limit, in every list and call. */
@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class)
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "config"))
class ListInputTest {

    private static List<String> lists(String project) {
        return List.of("/api/fhir-systems", "/api/projects", "/api/projects/" + project + "/mappings");
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {"page|abc|0 to 1000000", "page|-1|0 to 1000000", "page|1.5|0 to 1000000",
            "page|1000001|0 to 1000000", "page|2147483648|0 to 1000000", "page|99999999999999999999999|0 to 1000000",
            "page|0x10|0 to 1000000", "size|0|1 to 500", "size|501|1 to 500", "size|-5|1 to 500", "size|ten|1 to 500",
            "size|4294967297|1 to 500"})
    void pagingThatIsNotAWholeNumberInRangeIsAProblemNamingTheParameterAndItsRange(String parameter, String value,
            String range) {
        String project = ApiFixtures.createProject();
        for (String list : lists(project)) {
            given().queryParam(parameter, value).get(list).then().statusCode(400).contentType(Problem.MEDIA_TYPE)
                    .body("errors[0].field", equalTo(parameter))
                    .body("detail", equalTo(parameter + " must be a whole number from " + range + "."));
        }
    }

    @Test
    void theHighestPageWithTheLargestSizeIsAnEmptyPage() {
        String project = ApiFixtures.createProject();
        for (String list : lists(project)) {
            given().queryParam("page", 1_000_000).queryParam("size", 500).get(list).then().statusCode(200)
                    .body("page", equalTo(1_000_000)).body("size", equalTo(500)).body("items", hasSize(0));
        }
        given().get("/api/fhir-systems").then().statusCode(200).body("size", equalTo(50)).body("page", equalTo(0));
    }

    @Test
    void aBodyOverTheDefaultLimitIsA413ProblemThatSaysTheLimit() {
        byte[] body = new byte[10 * 1024 * 1024 + 1];
        // Without rest-assured's filters: its request logging would keep a copy of the 10 MiB body.
        Response response = given().noFilters().config(RestAssured.config().logConfig(LogConfig.logConfig()))
                .header("Authorization", "Bearer " + TestTokens.admin()).contentType(ContentType.JSON).body(body)
                .post("/api/projects");

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.contentType()).startsWith(Problem.MEDIA_TYPE);
        assertThat(response.jsonPath().getString("detail"))
                .isEqualTo("The request body is larger than the 10 MiB this service accepts, so it was not read.");
        given().get("/api/projects").then().statusCode(200);
    }
}
