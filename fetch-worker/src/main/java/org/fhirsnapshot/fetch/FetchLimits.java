package org.fhirsnapshot.fetch;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.fhirsnapshot.contracts.internal.FhirSystemSettings;
import org.fhirsnapshot.fetch.config.FetchConfig;

/**
 * How many fetches run at once: at most {@code limits.maxConcurrency} per FHIR system and
 * {@code fhir-snapshot.fetch.concurrency} for the whole worker. A fetch takes its system's permit first, then the
 * worker's, so that a busy system never holds worker permits while it waits.
 */
@ApplicationScoped
public class FetchLimits {

    private final AsyncPermits worker;
    private final Map<Long, AsyncPermits> systems = new ConcurrentHashMap<>();

    public FetchLimits(FetchConfig config) {
        this.worker = new AsyncPermits(Math.max(1, config.concurrency()));
    }

    public <T> Uni<T> run(FhirSystemSettings system, Supplier<Uni<T>> work) {
        return permitsOf(system).run(() -> worker.run(work));
    }

    private AsyncPermits permitsOf(FhirSystemSettings system) {
        int wanted = system.limits() != null && system.limits().maxConcurrency() > 0
                ? system.limits().maxConcurrency()
                : worker.permits();
        // A changed limit takes effect for new fetches; those running finish under the old one.
        return systems.compute(system.id(),
                (id, current) -> current != null && current.permits() == wanted ? current : new AsyncPermits(wanted));
    }
}
