package org.fhirsnapshot.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.fhirsnapshot.fetch.OperationOutcomeClassifierTest.json;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;
import org.fhirsnapshot.fetch.PagingRules.Follow;
import org.fhirsnapshot.fetch.PagingRules.Last;
import org.fhirsnapshot.fetch.PagingRules.Loop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PagingRulesTest {

    private static final String BASE = "https://ehr.example.org/api/FHIR/R4";
    private static final String FIRST = BASE + "/Observation?patient=p1&_count=100";

    @Test
    void followsANextLinkOnTheSystemsOwnOrigin() {
        String next = "https://ehr.example.org/api/FHIR/R4?_getpages=abc&_getpagesoffset=100";

        assertThat(PagingRules.next(page(next), FIRST, BASE, Set.of(FIRST))).isEqualTo(new Follow(next));
    }

    @Test
    void treatsDefaultPortsAndHostCaseAsTheSameOrigin() {
        String next = "https://EHR.example.org:443/api/FHIR/R4?page=2";

        assertThat(PagingRules.next(page(next), FIRST, BASE, Set.of(FIRST))).isInstanceOf(Follow.class);
        assertThat(PagingRules.next(page("http://ehr.example.org:80/fhir?page=2"), "http://ehr.example.org/fhir/X",
                "http://ehr.example.org/fhir", Set.of())).isInstanceOf(Follow.class);
    }

    @Test
    void resolvesARelativeNextLinkAgainstThePageItCameFrom() {
        assertThat(PagingRules.next(page("Observation?patient=p1&page=2"), FIRST, BASE, Set.of(FIRST)))
                .isEqualTo(new Follow(BASE + "/Observation?patient=p1&page=2"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "https://attacker.example.com/api/FHIR/R4?page=2",
            "http://ehr.example.org/api/FHIR/R4?page=2",
            "https://ehr.example.org:8443/api/FHIR/R4?page=2",
            "https://ehr.example.org.attacker.example.com/api/FHIR/R4?page=2",
            "file:///etc/passwd",
            "//attacker.example.com/page2"
    })
    void refusesANextLinkOffTheSystemsOrigin(String next) {
        assertThatThrownBy(() -> PagingRules.next(page(next), FIRST, BASE, Set.of(FIRST)))
                .isInstanceOfSatisfying(FetchFailure.class, failure -> {
                    assertThat(failure.errorClass()).isEqualTo(ErrorClass.INVALID_PAGING);
                    assertThat(failure.getMessage()).doesNotContain("attacker");
                });
    }

    @Test
    void refusesANextLinkThatIsNoUrl() {
        assertThatThrownBy(() -> PagingRules.next(page("https://ehr.example.org/a b|{"), FIRST, BASE, Set.of()))
                .isInstanceOfSatisfying(FetchFailure.class,
                        failure -> assertThat(failure.errorClass()).isEqualTo(ErrorClass.INVALID_PAGING));
    }

    @Test
    void stopsAtANextLinkReadBefore() {
        String second = BASE + "?page=2";

        assertThat(PagingRules.next(page(FIRST), second, BASE, Set.of(FIRST, second))).isEqualTo(new Loop());
        assertThat(PagingRules.next(page(second), second, BASE, Set.of(FIRST, second))).isEqualTo(new Loop());
    }

    @Test
    void endsWhenThePageHasNoNextLink() {
        JsonNode withOtherLinks = json("{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"link\":["
                + "{\"relation\":\"self\",\"url\":\"" + FIRST + "\"},{\"relation\":\"previous\",\"url\":\"" + BASE
                + "?page=0\"}]}");

        assertThat(PagingRules.next(withOtherLinks, FIRST, BASE, Set.of(FIRST))).isEqualTo(new Last());
        assertThat(PagingRules.next(json("{\"resourceType\":\"Bundle\",\"type\":\"searchset\"}"), FIRST, BASE,
                Set.of(FIRST))).isEqualTo(new Last());
        assertThat(PagingRules.next(page("  "), FIRST, BASE, Set.of(FIRST))).isEqualTo(new Last());
    }

    private static JsonNode page(String nextUrl) {
        return json("{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"link\":[{\"relation\":\"self\",\"url\":\""
                + FIRST + "\"},{\"relation\":\"next\",\"url\":\"" + nextUrl + "\"}]}");
    }
}
