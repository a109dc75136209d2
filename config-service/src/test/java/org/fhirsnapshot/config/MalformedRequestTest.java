package org.fhirsnapshot.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import org.fhirsnapshot.problem.Problem;
import org.fhirsnapshot.testinfra.KafkaTestResource;
import org.fhirsnapshot.testinfra.PostgresTestResource;
import org.fhirsnapshot.testinfra.RawHttp;
import org.fhirsnapshot.testinfra.TestTokens;
import org.junit.jupiter.api.Test;

/**
 * Requests no HTTP client library would send (they are written byte for byte): api-security's answers to control
 * characters in parameters and to keys no project can have, on internal addresses too, and the HTTP layer's to an
 * address it cannot decode. Each is a 4xx problem, never a 500 from a database that refuses a NUL.
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class)
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "config"))
class MalformedRequestTest {

    @Test
    void anAddressThatCannotBeDecodedIsRefusedBeforeAnyServiceCodeRuns() throws Exception {
        // The HTTP layer refuses it with a bare 400 (no hook lets a service word it); what matters is that no
        // resource, filter or database sees it.
        RawHttp.Answer answer = send("GET", "/api/projects/%ZZ", TestTokens.admin());

        assertThat(answer.status()).isEqualTo(400);
    }

    @Test
    void aControlCharacterInAQueryParameterIsRefusedNamingIt() throws Exception {
        RawHttp.Answer answer = send("GET", "/api/projects?page=1%00", TestTokens.admin());

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.contentType()).startsWith(Problem.MEDIA_TYPE);
        assertThat(answer.body()).contains("'page'").contains("control character");
    }

    @Test
    void aKeyNoProjectCanHaveIsANotFoundProblemOnInternalAddressesToo() throws Exception {
        for (String key : new String[]{"a%00b", "DEMO", "..", "a%20b"}) {
            RawHttp.Answer answer = send("GET", "/internal/projects/" + key + "/mappings", TestTokens.service());

            assertThat(answer.status()).as(key).isBetween(400, 404);
            assertThat(answer.contentType()).as(key).startsWith(Problem.MEDIA_TYPE);
        }
    }

    @Test
    void aLongButWellFormedParameterReachesTheServiceInsteadOfTheHttpDecoder() throws Exception {
        RawHttp.Answer answer = send("GET", "/api/projects?size=" + "9".repeat(8_000), TestTokens.admin());

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.contentType()).startsWith(Problem.MEDIA_TYPE);
    }

    private static RawHttp.Answer send(String method, String target, String token) throws Exception {
        return RawHttp.send("http://127.0.0.1:" + RestAssured.port, method, target, "Bearer " + token, null, null,
                true);
    }
}
