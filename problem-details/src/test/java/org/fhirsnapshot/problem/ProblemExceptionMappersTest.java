package org.fhirsnapshot.problem;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.Valid;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.core.Response;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Set;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;
import org.junit.jupiter.api.Test;

class ProblemExceptionMappersTest {

    private final Validator validator = Validation.byDefaultProvider().configure()
            .messageInterpolator(new ParameterMessageInterpolator()).buildValidatorFactory().getValidator();
    private final ProblemExceptionMappers mappers = new ProblemExceptionMappers();

    record Auth(@NotBlank String type) {
    }

    record Body(@NotBlank String name, @Valid @NotNull Auth auth) {
    }

    static class Resource {
        public void create(@Valid Body body) {
        }

        public void list(@Max(500) int size) {
        }
    }

    @Test
    void namesBodyFieldsAsTheClientWroteThem() throws Exception {
        Method create = Resource.class.getMethod("create", Body.class);
        Set<ConstraintViolation<Resource>> violations = validator.forExecutables().validateParameters(new Resource(),
                create, new Object[]{new Body(" ", new Auth(""))});

        assertThat(violations.stream().map(ProblemExceptionMappers::fieldOf)).containsExactlyInAnyOrder("name",
                "auth.type");
    }

    @Test
    void namesQueryParametersByTheirName() throws Exception {
        Method list = Resource.class.getMethod("list", int.class);
        Set<ConstraintViolation<Resource>> violations = validator.forExecutables().validateParameters(new Resource(),
                list, new Object[]{501});

        assertThat(violations.stream().map(ProblemExceptionMappers::fieldOf)).containsExactly("size");
    }

    @Test
    void domainErrorsBecomeProblemJsonWithTheirFields() {
        Response response = mappers.mapProblem(ProblemException.invalid("spec", "Use a relative search."));

        assertThat(response.getStatus()).isEqualTo(400);
        assertThat(response.getMediaType().toString()).isEqualTo(Problem.MEDIA_TYPE);
        Problem problem = (Problem) response.getEntity();
        assertThat(problem.detail()).isEqualTo("Use a relative search.");
        assertThat(problem.errors()).containsExactly(new Problem.FieldError("spec", "Use a relative search."));
    }

    @Test
    void unexpectedErrorsNameNoClassAndGiveAReference() {
        Response response = mappers.mapUnexpected(new IllegalStateException("secret internals"));

        Problem problem = (Problem) response.getEntity();
        assertThat(response.getStatus()).isEqualTo(500);
        assertThat(problem.detail()).doesNotContain("IllegalStateException", "secret internals")
                .containsPattern("reference [0-9a-f-]{36}");
    }

    @Test
    void unknownAddressesSayWhatToCheck() {
        Response response = mappers.mapWebApplication(new NotFoundException());

        Problem problem = (Problem) response.getEntity();
        assertThat(problem.status()).isEqualTo(404);
        assertThat(problem.detail()).contains("Check the path");
        assertThat(List.of(problem.title())).containsExactly("Not Found");
    }
}
