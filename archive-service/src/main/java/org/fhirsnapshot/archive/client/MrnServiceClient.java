package org.fhirsnapshot.archive.client;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.WebApplicationException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.fhirsnapshot.archive.ArchiveFilters;
import org.fhirsnapshot.archive.ProjectNotFoundException;
import org.fhirsnapshot.contracts.internal.ArchiveEntry;
import org.fhirsnapshot.problem.ProblemException;
import org.jboss.logging.Logger;

/**
 * What archive-service asks mrn-service, with the timeouts, retries and status translation in one place: a
 * connection failure is retried twice with backoff, each call gives up after a timeout, 404 becomes
 * {@link ProjectNotFoundException}, anything else a 503 problem. Exception messages of the REST client are never
 * passed on or logged: their URLs can hold MRNs.
 */
@ApplicationScoped
public class MrnServiceClient {

    private static final Logger LOG = Logger.getLogger(MrnServiceClient.class);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(200);
    private static final int RETRIES = 2;

    private final MrnServiceRestClient client;

    public MrnServiceClient(@RestClient MrnServiceRestClient client) {
        this.client = client;
    }

    /**
     * The next page of archive entries that match the MRN and mapping filters.
     *
     * @param afterId the last id of the previous page, or null for the first page
     */
    public Uni<List<ArchiveEntry>> page(String projectKey, ArchiveFilters filters, Long afterId, int limit) {
        return Uni.createFrom()
                .deferred(() -> client.archiveEntries(projectKey, filters.mrns(), filters.mappings(), afterId, limit))
                .ifNoItem().after(CALL_TIMEOUT).failWith(TimeoutException::new)
                .onFailure(MrnServiceClient::isTransient).retry().withBackOff(FIRST_BACKOFF).atMost(RETRIES)
                .onFailure().transform(failure -> translate(projectKey, failure));
    }

    /**
     * The archive entry of one instance of the project (completed or failed), or empty when the project has none
     * with this id: the first entry after {@code instanceId - 1}, one indexed lookup in mrn-service. Fails with
     * {@link ProjectNotFoundException} when mrn-service does not know the project.
     *
     * @param instanceId 1 or more
     */
    public Uni<Optional<ArchiveEntry>> entry(String projectKey, long instanceId) {
        return page(projectKey, ArchiveFilters.all(), instanceId - 1, 1)
                .map(entries -> entries.stream().filter(entry -> entry.instanceId() == instanceId).findFirst());
    }

    /** Fails with {@link ProjectNotFoundException} when mrn-service does not know the project. */
    public Uni<Void> requireProject(String projectKey) {
        return page(projectKey, ArchiveFilters.all(), null, 1).replaceWithVoid();
    }

    private static boolean isTransient(Throwable failure) {
        return failure instanceof ProcessingException || failure instanceof TimeoutException;
    }

    private static Throwable translate(String projectKey, Throwable failure) {
        if (failure instanceof ProblemException) {
            return failure;
        }
        if (failure instanceof WebApplicationException web && web.getResponse().getStatus() == 404) {
            return new ProjectNotFoundException(projectKey);
        }
        String what = failure instanceof WebApplicationException web
                ? "HTTP " + web.getResponse().getStatus()
                : failure.getClass().getSimpleName();
        LOG.warnf("mrn-service failed to list archive entries of project %s: %s", projectKey, what);
        return new ProblemException(503, "Service unavailable",
                "The MRN service did not answer as expected; try the download again in a moment.");
    }
}
