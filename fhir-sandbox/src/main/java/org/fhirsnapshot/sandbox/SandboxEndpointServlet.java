package org.fhirsnapshot.sandbox;

import java.io.IOException;
import java.io.Serial;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.core.JacksonException;
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
    private final transient FaultInjector faults;
    private final transient ObjectMapper objectMapper;

    SandboxEndpointServlet(SandboxCohort cohort, RequestCounters counters, FaultInjector faults,
            ObjectMapper objectMapper) {
        this.cohort = cohort;
        this.counters = counters;
        this.faults = faults;
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

    /** {@code POST /sandbox/faults}: replaces the faults (fields left out mean no such fault). */
    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!FAULTS.equals(request.getPathInfo())) {
            response.sendError(HttpServletResponse.SC_NOT_FOUND, "POST only /sandbox/faults");
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

    /** {@code DELETE /sandbox/faults}: no faults any more. */
    @Override
    protected void doDelete(HttpServletRequest request, HttpServletResponse response) throws IOException {
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
