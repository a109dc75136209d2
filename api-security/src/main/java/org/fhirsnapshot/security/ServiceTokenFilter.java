package org.fhirsnapshot.security;

import jakarta.ws.rs.core.HttpHeaders;
import org.jboss.resteasy.reactive.client.spi.ResteasyReactiveClientRequestContext;
import org.jboss.resteasy.reactive.client.spi.ResteasyReactiveClientRequestFilter;

/**
 * Puts this service's token on every call of a REST client to another service's internal API. Register it on the
 * client interface: {@code @RegisterProvider(ServiceTokenFilter.class)}. Non-blocking: the request waits (suspended)
 * while a new token is obtained.
 */
public class ServiceTokenFilter implements ResteasyReactiveClientRequestFilter {

    private final ServiceTokens tokens;

    public ServiceTokenFilter(ServiceTokens tokens) {
        this.tokens = tokens;
    }

    @Override
    public void filter(ResteasyReactiveClientRequestContext request) {
        request.suspend();
        tokens.token().subscribe().with(token -> {
            request.getHeaders().putSingle(HttpHeaders.AUTHORIZATION, "Bearer " + token);
            request.resume();
        }, request::resume);
    }
}
