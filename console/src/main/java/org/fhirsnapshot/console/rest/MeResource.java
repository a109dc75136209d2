package org.fhirsnapshot.console.rest;

import io.quarkus.security.identity.SecurityIdentity;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.fhirsnapshot.console.ConsoleUser;
import org.jboss.resteasy.reactive.ResponseHeader;

/**
 * Who is logged in, for the pages to show only what the user may do: {@code {name, groups, admin, projects}} from the
 * access token's groups claim. The services stay the only authority. Never returns a token.
 */
@Path("/console/me")
public class MeResource {

    private final SecurityIdentity identity;

    public MeResource(SecurityIdentity identity) {
        this.identity = identity;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @ResponseHeader(name = "Cache-Control", value = "no-store")
    public ConsoleUser me() {
        return ConsoleUser.of(identity.getPrincipal().getName(), identity.getRoles());
    }
}
