package org.fhirsnapshot.sandbox;

import java.io.IOException;
import java.io.Serial;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.ObjectMapper;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The sandbox's own endpoints beside {@code /fhir}: {@code /sandbox/ground-truth} (JSON of {@link GroundTruth}),
 * {@code /sandbox/demo-mrns} (text, one MRN a line) and {@code /sandbox/stats} (JSON of {@link SandboxStats}).
 */
final class SandboxEndpointServlet extends HttpServlet {

    @Serial
    private static final long serialVersionUID = 1L;

    private final transient SandboxCohort cohort;
    private final transient RequestCounters counters;
    private final transient ObjectMapper objectMapper;

    SandboxEndpointServlet(SandboxCohort cohort, RequestCounters counters, ObjectMapper objectMapper) {
        this.cohort = cohort;
        this.counters = counters;
        this.objectMapper = objectMapper;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String path = request.getPathInfo() == null ? "" : request.getPathInfo();
        switch (path) {
            case "/ground-truth" -> writeJson(response, cohort.groundTruth());
            case "/demo-mrns" -> writeText(response, String.join("\n", cohort.demoMrns()) + "\n");
            case "/stats" -> writeJson(response, counters.snapshot());
            default -> response.sendError(HttpServletResponse.SC_NOT_FOUND,
                    "Unknown sandbox endpoint; try /sandbox/ground-truth, /sandbox/demo-mrns or /sandbox/stats");
        }
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
