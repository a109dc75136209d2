package org.fhirsnapshot.mrn.rest;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.BackPressureFailure;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.fhirsnapshot.mrn.InstanceStatus;
import org.fhirsnapshot.mrn.InstanceStatusEvents;
import org.fhirsnapshot.mrn.KnownProjects;
import org.fhirsnapshot.mrn.persistence.InstanceRepository.InstanceFilter;
import org.fhirsnapshot.mrn.persistence.InstanceRepository;
import org.fhirsnapshot.mrn.persistence.MrnRepository;
import org.fhirsnapshot.problem.Paging;
import org.fhirsnapshot.problem.Problem;
import org.fhirsnapshot.problem.ProblemException;
import org.fhirsnapshot.security.Caller;
import org.fhirsnapshot.security.ProjectRole;
import org.fhirsnapshot.security.RequiresProjectRole;

/**
 * A project's resource instances: the list, the summary and the live status stream, for every role in the project
 * (reader and up). MRNs are PHI and for managers only: a caller below manager sees instances without their MRN and
 * may not filter by MRN.
 */
@Path("/api/projects/{key}")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Instances", description = "Resource instances, summary and live status")
public class InstanceResource {

    private static final int SSE_BUFFER = 1024;

    private final InstanceRepository instances;
    private final MrnRepository mrns;
    private final KnownProjects knownProjects;
    private final InstanceStatusEvents statusEvents;
    private final SecurityIdentity identity;

    public InstanceResource(InstanceRepository instances, MrnRepository mrns, KnownProjects knownProjects,
            InstanceStatusEvents statusEvents, SecurityIdentity identity) {
        this.instances = instances;
        this.mrns = mrns;
        this.knownProjects = knownProjects;
        this.statusEvents = statusEvents;
        this.identity = identity;
    }

    /** Instances in id order, of every status unless filtered. */
    @GET
    @Path("/instances")
    @RequiresProjectRole(ProjectRole.READER)
    public Uni<ResultPage<InstanceView>> list(@PathParam("key") String key, @QueryParam("mrn") String mrn,
            @QueryParam("mapping") String mapping, @QueryParam("status") String status,
            @QueryParam("page") String pageParam, @QueryParam("size") String sizeParam) {
        boolean seesMrns = Caller.of(identity).roleIn(key).filter(role -> role.includes(ProjectRole.MANAGER))
                .isPresent();
        Paging paging = Paging.of(pageParam, sizeParam, ResultPage.DEFAULT_SIZE, ResultPage.MAX_SIZE);
        InstanceFilter filter = new InstanceFilter(mrn(mrn, seesMrns), mappingId(mapping), status(status));
        return knownProjects.require(key).chain(() -> instances.page(key, filter, paging.page(), paging.size()))
                .map(result -> new ResultPage<>(paging.page(), paging.size(), result.total(),
                        result.items().stream().map(InstanceView::of)
                                .map(view -> seesMrns ? view : view.withoutMrn()).toList()));
    }

    @GET
    @Path("/summary")
    @RequiresProjectRole(ProjectRole.READER)
    public Uni<ProjectSummary> summary(@PathParam("key") String key) {
        return knownProjects.require(key).chain(() -> mrns.countActive(key))
                .chain(mrnCount -> instances.counts(key).map(counts -> {
                    Map<String, Long> byStatus = new LinkedHashMap<>();
                    counts.byStatus().forEach((status, n) -> byStatus.put(status.name(), n));
                    return new ProjectSummary(mrnCount, byStatus, counts.protectedActive(),
                            counts.byMapping().stream()
                                    .map(m -> new ProjectSummary.MappingSummary(m.mappingId(), m.name(), m.pending(),
                                            m.fetching(), m.completed(), m.failed()))
                                    .toList());
                }));
    }

    /**
     * Server-Sent Events: the status changes this replica applies to the project's instances, from now on, each as
     * an unnamed event whose data is an {@link InstanceEvent}. Changes are listened to from the moment of the request
     * (buffered while the project is checked). The response has started before the check ends, so an unknown
     * project (or config-service unavailable) ends the stream with one event named {@code problem} whose data is
     * the problem details. A client more than {@value #SSE_BUFFER} changes behind sees the stream end and
     * reconnects.
     */
    @GET
    @Path("/events")
    @RequiresProjectRole(ProjectRole.READER)
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public Multi<OutboundSseEvent> events(@PathParam("key") String key, @Context Sse sse) {
        return statusEvents.of(key).onOverflow().buffer(SSE_BUFFER)
                .onSubscription().call(() -> knownProjects.require(key))
                .map(change -> sse.newEventBuilder().mediaType(MediaType.APPLICATION_JSON_TYPE)
                        .data(InstanceEvent.class, new InstanceEvent(change.instanceId(), change.mappingId(),
                                change.status().name(), change.at(), change.protectedRecord(), change.errorClass()))
                        .build())
                .onFailure(BackPressureFailure.class).recoverWithCompletion()
                .onFailure(ProblemException.class).recoverWithMulti(failure -> Multi.createFrom()
                        .item(sse.newEventBuilder().name("problem").mediaType(MediaType.APPLICATION_JSON_TYPE)
                                .data(Problem.class, ((ProblemException) failure).toProblem()).build()));
    }

    /** The MRN filter: for managers only, and never repeated in a problem. */
    private static String mrn(String mrn, boolean seesMrns) {
        if (QueryFilters.blankToNull(mrn) == null) {
            return null;
        }
        if (!seesMrns) {
            throw new ProblemException(403, "Forbidden", "Filtering by MRN needs the manager role in the project (MRNs "
                    + "are patient data); leave out the mrn parameter.");
        }
        return QueryFilters.mrn("mrn", mrn, "The mrn filter");
    }

    private static Long mappingId(String mapping) {
        return QueryFilters.mappingId(mapping);
    }

    private static InstanceStatus status(String status) {
        return QueryFilters.status(status);
    }
}
