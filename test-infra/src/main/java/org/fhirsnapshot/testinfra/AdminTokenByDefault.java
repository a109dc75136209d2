package org.fhirsnapshot.testinfra;

import io.quarkus.test.junit.callback.QuarkusTestBeforeEachCallback;
import io.quarkus.test.junit.callback.QuarkusTestMethodContext;
import io.restassured.RestAssured;
import io.restassured.filter.Filter;
import io.restassured.filter.FilterContext;
import io.restassured.response.Response;
import io.restassured.specification.FilterableRequestSpecification;
import io.restassured.specification.FilterableResponseSpecification;

/**
 * Before each {@code @QuarkusTest} method: rest-assured calls that carry no {@code Authorization} header get the token
 * of the natural caller of the address: a service's for {@code /internal/...}, an administrator's otherwise. Tests of behaviour other than access control thus go through the real token
 * verification without repeating it; access-control tests send their own header, or none with
 * {@code given().noFilters()}.
 */
public class AdminTokenByDefault implements QuarkusTestBeforeEachCallback {

    @Override
    public void beforeEach(QuarkusTestMethodContext context) {
        if (RestAssured.filters().stream().noneMatch(AdminTokenFilter.class::isInstance)) {
            RestAssured.filters(new AdminTokenFilter());
        }
    }

    /** Adds the service or admin token to a request without one. */
    static final class AdminTokenFilter implements Filter {

        @Override
        public Response filter(FilterableRequestSpecification request, FilterableResponseSpecification response,
                FilterContext context) {
            if (!request.getHeaders().hasHeaderWithName("Authorization")) {
                boolean internal = request.getURI().contains("/internal/");
                request.header("Authorization", "Bearer " + (internal ? TestTokens.service() : TestTokens.admin()));
            }
            return context.next(request, response);
        }
    }
}
