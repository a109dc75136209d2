package org.fhirsnapshot.archive;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;
import org.fhirsnapshot.archive.client.MrnServiceClient;
import org.fhirsnapshot.archive.config.ArchiveConfig;
import org.fhirsnapshot.archive.persistence.Download;
import org.fhirsnapshot.archive.persistence.DownloadRepository;
import org.fhirsnapshot.contracts.internal.ArchiveEntry;
import org.fhirsnapshot.payload.PayloadStore;
import org.fhirsnapshot.problem.ProblemException;
import org.jboss.logging.Logger;

/**
 * Builds archives: checks the request before the first byte (so that an unknown project is a 404 problem, not a
 * broken ZIP), records the download, then pages through mrn-service's archive entries and streams them through an
 * {@link ArchiveWriter}. Blocking throughout (payload files, the ZIP stream, waiting on mrn-service and the
 * database): call it on a worker thread, never on the event loop.
 */
@ApplicationScoped
public class ArchiveService {

    private static final Logger LOG = Logger.getLogger(ArchiveService.class);

    private final MrnServiceClient mrnService;
    private final PayloadStore store;
    private final DownloadRepository downloads;
    private final ArchiveConfig config;
    private final MeterRegistry registry;
    private final Clock clock = Clock.systemUTC();

    public ArchiveService(MrnServiceClient mrnService, PayloadStore store, DownloadRepository downloads,
            ArchiveConfig config, MeterRegistry registry) {
        this.mrnService = mrnService;
        this.store = store;
        this.downloads = downloads;
        this.config = config;
        this.registry = registry;
    }

    /**
     * Fetches the first page of entries (a 404 problem for an unknown project) and records the download as
     * streaming. Nothing has been sent yet when this returns.
     */
    public ArchiveDownload prepare(String projectKey, ArchiveFilters filters) {
        List<ArchiveEntry> firstPage = awaitPage(projectKey, filters, null);
        Download download = new Download();
        download.projectKey = projectKey;
        download.startedAt = clock.instant();
        download.filters = filters.auditView();
        download.status = DownloadStatus.streaming;
        await(() -> Panache.withTransaction(() -> downloads.persist(download)));
        LOG.infof("Download %d of project %s started (format %s)", download.id, projectKey, filters.format());
        return new ArchiveDownload(download.id, projectKey, filters, download.startedAt, firstPage);
    }

    private List<ArchiveEntry> awaitPage(String projectKey, ArchiveFilters filters, Long afterId) {
        return await(() -> mrnService.page(projectKey, filters, afterId, config.pageSize()));
    }

    /** Waits for a Uni on this worker thread, on a Vert.x context as Hibernate Reactive requires. */
    private static <T> T await(Supplier<Uni<T>> work) {
        try {
            return VertxContextSupport.subscribeAndAwait(work);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /** One download, checked and recorded, ready to stream. */
    public final class ArchiveDownload {

        private final long id;
        private final String projectKey;
        private final ArchiveFilters filters;
        private final Instant startedAt;
        private final List<ArchiveEntry> firstPage;

        private ArchiveDownload(long id, String projectKey, ArchiveFilters filters, Instant startedAt,
                List<ArchiveEntry> firstPage) {
            this.id = id;
            this.projectKey = projectKey;
            this.filters = filters;
            this.startedAt = startedAt;
            this.firstPage = firstPage;
        }

        public long id() {
            return id;
        }

        /**
         * Streams the ZIP to {@code out} (not closed), then records how the download ended: completed, aborted
         * (the client went away) or failed.
         *
         * @throws ArchiveFailedException when the service could not finish the archive
         */
        public void writeTo(OutputStream out) {
            Timer.Sample timing = Timer.start(registry);
            ClientOutputStream client = new ClientOutputStream(out);
            ArchiveWriter writer = new ArchiveWriter(client, store, projectKey, filters, startedAt,
                    config.compressionLevel());
            DownloadStatus status = DownloadStatus.failed;
            try {
                writeEntries(writer);
                writer.finish();
                status = DownloadStatus.completed;
            } catch (IOException | RuntimeException e) {
                if (client.failed()) {
                    // The client went away: nothing to cut off, and nothing worth an error in the log.
                    status = DownloadStatus.aborted;
                    return;
                }
                // Messages here name payload refs and instance ids, never an MRN.
                LOG.errorf("Download %d of project %s failed after %d bytes: %s", id, projectKey, client.count(),
                        e instanceof ProblemException ? e.getMessage() : e.toString());
                // Thrown on: Quarkus REST answers a 500 problem if nothing was sent yet, else cuts the response.
                throw new ArchiveFailedException(id);
            } finally {
                closeQuietly(writer);
                record(status, writer.filesWritten(), client.count());
                timing.stop(registry.timer("archive.download.duration", "status", status.name()));
            }
        }

        private void closeQuietly(ArchiveWriter writer) {
            try {
                writer.close();
            } catch (IOException | RuntimeException e) {
                LOG.debugf("Closing the archive of download %d: %s", id, e);
            }
        }

        private void writeEntries(ArchiveWriter writer) throws IOException {
            List<ArchiveEntry> page = firstPage;
            long lastId = Long.MIN_VALUE;
            while (!page.isEmpty()) {
                for (ArchiveEntry entry : page) {
                    if (entry.instanceId() <= lastId) {
                        throw new IllegalStateException("mrn-service listed archive entries out of order");
                    }
                    lastId = entry.instanceId();
                    if (filters.matches(entry)) {
                        writer.add(entry);
                    }
                }
                page = awaitPage(projectKey, filters, lastId);
            }
        }

        private void record(DownloadStatus status, int files, long bytes) {
            try {
                await(() -> Panache.withTransaction(() -> downloads.finish(id, status, files, bytes,
                        clock.instant())));
            } catch (RuntimeException e) {
                LOG.errorf(e, "Could not record the end of download %d", id);
            }
            Counter.builder("archive.downloads").tag("status", status.name()).register(registry).increment();
            Counter.builder("archive.sent.bytes").baseUnit("bytes").register(registry).increment(bytes);
            LOG.infof("Download %d of project %s %s: %d files, %d bytes", id, projectKey, status, files, bytes);
        }
    }

    /** Counts the bytes sent and notes whether sending failed (the client went away). */
    static final class ClientOutputStream extends OutputStream {

        private final OutputStream out;
        private long count;
        private boolean failed;

        ClientOutputStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[]{(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (IOException | RuntimeException e) {
                failed = true;
                throw e;
            }
            count += len;
        }

        @Override
        public void flush() throws IOException {
            try {
                out.flush();
            } catch (IOException | RuntimeException e) {
                failed = true;
                throw e;
            }
        }

        long count() {
            return count;
        }

        boolean failed() {
            return failed;
        }
    }
}
