package org.fhirsnapshot.mrn.rest;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.BackPressureFailure;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.ws.rs.DefaultValue;
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
import org.fhirsnapshot.problem.Problem;
import org.fhirsnapshot.problem.ProblemException;

/** A project's resource instances: the list, the summary and the live status stream. */
@Path("/api/projects/{key}")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Instances", description = "Resource instances, summary and live status")
public class InstanceResource {

    private static final int SSE_BUFFER = 1024;

    private final InstanceRepository instances;
    private final MrnRepository mrns;
    private final KnownProjects knownProjects;
    private final InstanceStatusEvents statusEvents;

    public InstanceResource(InstanceRepository instances, MrnRepository mrns, KnownProjects knownProjects,
            InstanceStatusEvents statusEvents) {
        this.instances = instances;
        this.mrns = mrns;
        this.knownProjects = knownProjects;
        this.statusEvents = statusEvents;
    }

    /** Instances in id order, of every status unless filtered. */
    @GET
    @Path("/instances")
    public Uni<ResultPage<InstanceView>> list(@PathParam("key") String key, @QueryParam("mrn") String mrn,
            @QueryParam("mapping") String mapping, @QueryParam("status") String status,
            @QueryParam("page") @DefaultValue("0") @Min(0) int page,
            @QueryParam("size") @DefaultValue("50") @Min(1) @Max(1000) int size) {
        InstanceFilter filter = new InstanceFilter(blankToNull(mrn), mappingId(mapping), status(status));
        return knownProjects.require(key).chain(() -> instances.page(key, filter, page, size))
                .map(result -> new ResultPage<>(page, size, result.total(),
                        result.items().stream().map(InstanceView::of).toList()));
    }

    @GET
    @Path("/summary")
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
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public Multi<OutboundSseEvent> events(@PathParam("key") String key, @Context Sse sse) {
        return statusEvents.of(key).onOverflow().buffer(SSE_BUFFER)
                .onSubscription().call(() -> knownProjects.require(key))
                .map(change -> sse.newEventBuilder().mediaType(MediaType.APPLICATION_JSON_TYPE)
                        .data(InstanceEvent.class, new InstanceEvent(change.instanceId(), change.mappingId(),
                                change.status().name(), change.at()))
                        .build())
                .onFailure(BackPressureFailure.class).recoverWithCompletion()
                .onFailure(ProblemException.class).recoverWithMulti(failure -> Multi.createFrom()
                        .item(sse.newEventBuilder().name("problem").mediaType(MediaType.APPLICATION_JSON_TYPE)
                                .data(Problem.class, ((ProblemException) failure).toProblem()).build()));
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }

    private static Long mappingId(String mapping) {
        String value = blankToNull(mapping);
        if (value == null) {
            return null;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw ProblemException.invalid("mapping", "mapping is a mapping id (a number).");
        }
    }

    private static InstanceStatus status(String status) {
        String value = blankToNull(status);
        if (value == null) {
            return null;
        }
        return InstanceStatus.parse(value).orElseThrow(() -> ProblemException.invalid("status",
                "status is one of pending, fetching, completed, failed, outdated, deleted."));
    }
}
