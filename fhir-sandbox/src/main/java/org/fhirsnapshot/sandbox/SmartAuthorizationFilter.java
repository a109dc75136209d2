package org.fhirsnapshot.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * In front of {@code /fhir}: serves {@code /fhir/.well-known/smart-configuration} while SMART Backend Services is
 * enabled (404 otherwise), and then answers 401 to every other request but {@code /fhir/metadata} that carries no
 * valid, unexpired bearer token. Requests it answers itself count in {@code requests}.
 */
final class SmartAuthorizationFilter extends HttpFilter {

    private static final long serialVersionUID = 1L;
    static final String SMART_CONFIGURATION = "/.well-known/smart-configuration";
    static final String TOKEN_PATH = "/sandbox/oauth/token";

    private final transient SmartBackendServer smart;
    private final transient RequestCounters counters;
    private final transient ObjectMapper objectMapper;

    SmartAuthorizationFilter(SmartBackendServer smart, RequestCounters counters, ObjectMapper objectMapper) {
        this.smart = smart;
        this.counters = counters;
        this.objectMapper = objectMapper;
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        String inFhir = path.startsWith("/fhir") ? path.substring("/fhir".length()) : path;
        if (SMART_CONFIGURATION.equals(inFhir)) {
            counters.countRequest();
            if (!smart.enabled()) {
                response.sendError(HttpServletResponse.SC_NOT_FOUND, "SMART Backend Services is not enabled");
                return;
            }
            String tokenEndpoint = rootOf(request) + TOKEN_PATH;
            Map<String, Object> configuration = new LinkedHashMap<>();
            configuration.put("token_endpoint", tokenEndpoint);
            configuration.put("token_endpoint_auth_methods_supported", List.of("private_key_jwt"));
            configuration.put("token_endpoint_auth_signing_alg_values_supported", List.of("RS384", "ES384"));
            configuration.put("grant_types_supported", List.of("client_credentials"));
            configuration.put("scopes_supported", List.of("system/*.read", "system/*.rs"));
            configuration.put("capabilities", List.of("client-confidential-asymmetric"));
            write(response, 200, objectMapper.writeValueAsBytes(configuration));
            return;
        }
        if (inFhir.equals("/metadata") || smart.authorized(request.getHeader("Authorization"))) {
            chain.doFilter(request, response);
            return;
        }
        counters.countRequest();
        response.setHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"");
        response.setContentType("application/fhir+json");
        write(response, 401, ("{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"error\","
                + "\"code\":\"login\",\"diagnostics\":\"A valid, unexpired bearer token is required.\"}]}")
                .getBytes(StandardCharsets.UTF_8));
    }

    /** {@code scheme://host:port} as the client addressed this server. */
    static String rootOf(HttpServletRequest request) {
        return request.getScheme() + "://" + request.getServerName() + ":" + request.getServerPort();
    }

    private static void write(HttpServletResponse response, int status, byte[] body) throws IOException {
        response.setStatus(status);
        if (response.getContentType() == null) {
            response.setContentType("application/json");
        }
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.getOutputStream().write(body);
    }
}
