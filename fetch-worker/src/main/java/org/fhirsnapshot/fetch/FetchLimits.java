package org.fhirsnapshot.fetch;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.function.Supplier;
import org.fhirsnapshot.contracts.internal.FhirSystemSettings;
import org.fhirsnapshot.fetch.config.FetchConfig;

/**
 * How many fetches run at once: at most {@code limits.maxConcurrency} per FHIR system across every worker replica
 * together ({@link SharedConcurrency}, slots leased from config-service; 0 = no limit of the system's own), and
 * {@code fhir-snapshot.fetch.concurrency} for the whole worker. A fetch takes its system's slot first, then the
 * worker's permit, so that a busy system never holds worker permits while it waits.
 */
@ApplicationScoped
public class FetchLimits {

    private final AsyncPermits worker;
    private final SharedConcurrency systems;

    public FetchLimits(FetchConfig config, SharedConcurrency systems) {
        this.worker = new AsyncPermits(Math.max(1, config.concurrency()));
        this.systems = systems;
    }

    public <T> Uni<T> run(FhirSystemSettings system, Supplier<Uni<T>> work) {
        int max = system.limits() == null ? 0 : system.limits().maxConcurrency();
        if (max <= 0) {
            // No limit of the system's own: the worker's concurrency is the only one.
            return worker.run(work);
        }
        // A changed limit takes effect with the next slot call; fetches running finish under the old one.
        return systems.run(system.id(), max, () -> worker.run(work));
    }
}
