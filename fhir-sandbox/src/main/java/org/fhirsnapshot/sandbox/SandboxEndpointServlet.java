package org.fhirsnapshot.sandbox;

import java.io.IOException;
import java.io.Serial;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The sandbox's own endpoints beside {@code /fhir}: {@code /sandbox/ground-truth} (JSON of {@link GroundTruth}),
 * {@code /sandbox/demo-mrns} (text, one MRN a line), {@code /sandbox/stats} (JSON of {@link SandboxStats}) and
 * {@code /sandbox/faults} (GET, POST and DELETE of {@link SandboxFaults} as JSON).
 */
final class SandboxEndpointServlet extends HttpServlet {

    @Serial
    private static final long serialVersionUID = 1L;
    private static final String FAULTS = "/faults";

    private final transient SandboxCohort cohort;
    private final transient RequestCounters counters;
    private static final String TOKEN = "/oauth/token";
    private static final String SMART_BACKEND = "/smart-backend";

    private final transient FaultInjector faults;
    private final transient SmartBackendServer smart;
    private final transient ObjectMapper objectMapper;

    SandboxEndpointServlet(SandboxCohort cohort, RequestCounters counters, FaultInjector faults,
            SmartBackendServer smart, ObjectMapper objectMapper) {
        this.cohort = cohort;
        this.counters = counters;
        this.faults = faults;
        this.smart = smart;
        this.objectMapper = objectMapper;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String path = request.getPathInfo() == null ? "" : request.getPathInfo();
        switch (path) {
            case "/ground-truth" -> writeJson(response, cohort.groundTruth());
            case "/demo-mrns" -> writeText(response, String.join("\n", cohort.demoMrns()) + "\n");
            case "/stats" -> writeJson(response, counters.snapshot());
            case FAULTS -> writeJson(response, faults.current());
            default -> response.sendError(HttpServletResponse.SC_NOT_FOUND,
                    "Unknown sandbox endpoint; try /sandbox/ground-truth, /sandbox/demo-mrns, /sandbox/stats or "
                            + "/sandbox/faults");
        }
    }

    /**
     * {@code POST /sandbox/faults}: replaces the faults (fields left out mean no such fault); {@code POST
     * /sandbox/oauth/token}: the SMART token endpoint; {@code POST /sandbox/smart-backend}: requires SMART Backend
     * Services ({@code {"clientId", "jwk": {…public JWK…}, "tokenLifetimeSeconds"}}).
     */
    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (TOKEN.equals(request.getPathInfo())) {
            Map<String, String> form = new HashMap<>();
            request.getParameterMap().forEach((name, values) -> form.put(name, values[0]));
            SmartBackendServer.TokenResponse answer = smart.token(SmartAuthorizationFilter.rootOf(request)
                    + SmartAuthorizationFilter.TOKEN_PATH, form, request.getHeader("Authorization"));
            response.setStatus(answer.status());
            response.setHeader("Cache-Control", "no-store");
            writeJson(response, answer.body());
            return;
        }
        if (SMART_BACKEND.equals(request.getPathInfo())) {
            try {
                JsonNode body = objectMapper.readTree(request.getInputStream());
                smart.require(body.path("clientId").asText(null), body.path("jwk").toString(),
                        body.path("tokenLifetimeSeconds").asInt(300));
            } catch (JacksonException | IllegalArgumentException e) {
                response.sendError(HttpServletResponse.SC_BAD_REQUEST, "Invalid SMART Backend Services settings: "
                        + "give clientId, jwk (a public JWK) and tokenLifetimeSeconds");
                return;
            }
            response.setStatus(HttpServletResponse.SC_NO_CONTENT);
            return;
        }
        if (!FAULTS.equals(request.getPathInfo())) {
            response.sendError(HttpServletResponse.SC_NOT_FOUND,
                    "POST only /sandbox/faults, /sandbox/oauth/token or /sandbox/smart-backend");
            return;
        }
        SandboxFaults requested;
        try {
            requested = objectMapper.readValue(request.getInputStream(), SandboxFaults.class);
        } catch (JacksonException | IllegalArgumentException e) {
            Throwable cause = e.getCause() instanceof IllegalArgumentException invalid ? invalid : e;
            response.sendError(HttpServletResponse.SC_BAD_REQUEST, "Invalid faults: " + cause.getMessage());
            return;
        }
        faults.set(requested);
        writeJson(response, faults.current());
    }

    /** {@code DELETE /sandbox/faults}: no faults any more; {@code DELETE /sandbox/smart-backend}: no auth. */
    @Override
    protected void doDelete(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (SMART_BACKEND.equals(request.getPathInfo())) {
            smart.disable();
            response.setStatus(HttpServletResponse.SC_NO_CONTENT);
            return;
        }
        if (!FAULTS.equals(request.getPathInfo())) {
            response.sendError(HttpServletResponse.SC_NOT_FOUND, "DELETE only /sandbox/faults");
            return;
        }
        faults.reset();
        response.setStatus(HttpServletResponse.SC_NO_CONTENT);
    }

    private void writeJson(HttpServletResponse response, Object body) throws IOException {
        response.setContentType("application/json");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.getOutputStream().write(objectMapper.writeValueAsBytes(body));
    }

    private static void writeText(HttpServletResponse response, String body) throws IOException {
        response.setContentType("text/plain");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
    }
}
