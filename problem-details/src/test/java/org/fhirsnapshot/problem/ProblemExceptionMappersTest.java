package org.fhirsnapshot.problem;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.databind.JsonMappingException;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Valid;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
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

    @Test
    void jsonThatDoesNotParseSaysTheBodyIsNotValidJson() {
        // What Quarkus' JSON reader throws for a body such as "claim!".
        JsonParseException cause = new JsonParseException(null, "Unrecognized token 'claim': was expecting JSON");

        Response response = mappers.mapWebApplication(new WebApplicationException(cause, Response.Status.BAD_REQUEST));

        Problem problem = (Problem) response.getEntity();
        assertThat(problem.status()).isEqualTo(400);
        assertThat(problem.title()).isEqualTo("Unreadable request body");
        assertThat(problem.detail()).isEqualTo("The request body is not valid JSON for this call.")
                .doesNotContain("claim");
    }

    @Test
    void aValueTheJsonReaderCannotBindNamesItsField() {
        JsonMappingException cause = JsonMappingException.wrapWithPath(
                new JsonParseException(null, "Numeric value (99999999999) out of range of int"), Body.class,
                "leaseSeconds");

        Response response = mappers.mapWebApplication(new WebApplicationException(cause, Response.Status.BAD_REQUEST));

        Problem problem = (Problem) response.getEntity();
        assertThat(problem.detail()).contains("'leaseSeconds'").doesNotContain("99999999999");
        assertThat(problem.errors()).extracting(Problem.FieldError::field).containsExactly("leaseSeconds");
    }

    @Test
    void otherBadRequestsSayWhatToCheck() {
        Problem problem = (Problem) mappers.mapWebApplication(new BadRequestException()).getEntity();

        assertThat(problem.detail()).isNotEqualTo("Bad Request.").contains("Check its parameters");
    }

    @Test
    void aChunkedBodyPastTheLimitIsA413NotAnUnexpectedError() {
        Response tooLarge = mappers.mapIo(new IOException("Request too large"));
        Response other = mappers.mapIo(new IOException("Connection reset"));

        assertThat(tooLarge.getStatus()).isEqualTo(413);
        assertThat(((Problem) tooLarge.getEntity()).detail()).contains("larger than this service accepts");
        assertThat(other.getStatus()).isEqualTo(500);
    }
}
