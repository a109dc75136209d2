package org.fhirsnapshot.fetch;

import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.List;
import org.fhirsnapshot.contracts.internal.ClaimedInstance;
import org.fhirsnapshot.fetch.client.MrnServiceClient;
import org.fhirsnapshot.fetch.config.FetchConfig;
import org.jboss.logging.Logger;

/**
 * A worker told to stop (SIGTERM: a rolling restart, a scale-down, a node drain) finishes or gives back its claims
 * before it exits (issue 8), instead of leaving them {@code fetching} until their lease (300 s) runs out:
 * <ol>
 * <li>it takes no new batch ({@link HeldClaims#stop()}; the messages of batches not finished stay unacknowledged
 * and are delivered again to the replicas that remain);</li>
 * <li>claims whose fetch has not started are given back to mrn-service at once ({@code POST
 * /internal/instances/release}), which publishes them again on its next run, so another replica fetches them
 * while this one drains;</li>
 * <li>fetches already running get {@code fhir-snapshot.fetch.shutdown-drain} (20 s) to finish and publish their
 * result;</li>
 * <li>the claims still held then are given back too; a result of theirs that arrives later is ignored by
 * mrn-service (its claim token no longer matches).</li>
 * </ol>
 * It runs on Quarkus' {@link ShutdownEvent}, before the Kafka channels, the REST clients and Vert.x are closed;
 * blocking here is what a shutdown observer is for. A release that fails (mrn-service unreachable) is logged: the
 * lease is still the safety net.
 */
@ApplicationScoped
public class GracefulShutdown {

    private static final Logger LOG = Logger.getLogger(GracefulShutdown.class);
    private static final Duration RELEASE_TIMEOUT = Duration.ofSeconds(5);

    private final HeldClaims held;
    private final MrnServiceClient mrnService;
    private final WorkerIdentity worker;
    private final FetchConfig config;

    public GracefulShutdown(HeldClaims held, MrnServiceClient mrnService, WorkerIdentity worker, FetchConfig config) {
        this.held = held;
        this.mrnService = mrnService;
        this.worker = worker;
        this.config = config;
    }

    void onStop(@Observes ShutdownEvent event) {
        long started = System.nanoTime();
        int running = held.size();
        List<ClaimedInstance> waiting = held.stop();
        running -= waiting.size();
        LOG.infof("stopping: no new batch; %d fetches running may finish within %s, %d claims not started are "
                + "given back", running, config.shutdownDrain(), waiting.size());
        int releasedWaiting = release(waiting);
        boolean drained;
        try {
            drained = held.awaitIdle(config.shutdownDrain());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            drained = false;
        }
        List<ClaimedInstance> unfinished = held.takeAll();
        int releasedUnfinished = release(unfinished);
        LOG.infof("stopped after %d ms: %d fetches finished, released %d claims (%d not started, %d still running "
                + "after the drain time)%s", (System.nanoTime() - started) / 1_000_000,
                held.finishedWhileStopping(), releasedWaiting + releasedUnfinished, releasedWaiting,
                releasedUnfinished, drained ? "" : "; the drain time ran out");
    }

    /** Gives claims back; returns how many mrn-service put back to pending. */
    private int release(List<ClaimedInstance> claims) {
        if (claims.isEmpty()) {
            return 0;
        }
        try {
            Integer released = mrnService.release(claims, worker.id()).await().atMost(RELEASE_TIMEOUT);
            return released == null ? 0 : released;
        } catch (RuntimeException e) {
            LOG.warnf("stopping: could not give back %d claims (%s); their lease returns them to pending",
                    claims.size(), e.getMessage());
            return 0;
        }
    }
}
