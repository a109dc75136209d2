package org.fhirsnapshot.archive;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.fhirsnapshot.archive.client.MrnServiceClient;
import org.fhirsnapshot.archive.config.ArchiveConfig;
import org.fhirsnapshot.archive.persistence.Download;
import org.fhirsnapshot.archive.persistence.DownloadRepository;
import org.fhirsnapshot.contracts.internal.ArchiveEntry;
import org.fhirsnapshot.payload.PayloadNotFoundException;
import org.fhirsnapshot.payload.PayloadStore;
import org.fhirsnapshot.payload.StoredPayload;
import org.fhirsnapshot.problem.ProblemException;
import org.jboss.logging.Logger;

/**
 * Builds archives: checks the request before the first byte (so that an unknown project is a 404 problem, not a
 * broken ZIP), records the download, then pages through mrn-service's archive entries and streams them through an
 * {@link ArchiveWriter}. Also sends one instance's payload on its own ({@link #preparePayload}), recorded the same way. Blocking throughout (payload files, the ZIP stream, waiting on mrn-service and the
 * database): call it on a worker thread, never on the event loop.
 */
@ApplicationScoped
public class ArchiveService {

    private static final Logger LOG = Logger.getLogger(ArchiveService.class);
    /** The longest caller name the audit keeps (its column's width); a longer one is cut. */
    private static final int MAX_NAME = 255;

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
        // The series exist at 0 from the start (rate() and the alerts see them begin), not from the first download.
        for (DownloadStatus status : DownloadStatus.values()) {
            if (status != DownloadStatus.streaming) {
                downloadsCounter(registry, status);
            }
        }
        sentBytesCounter(registry);
    }

    /** {@code fhir_snapshot_archive_downloads_total{status}}: no project or user label (the downloads list has it). */
    static Counter downloadsCounter(MeterRegistry registry, DownloadStatus status) {
        return Counter.builder("fhir.snapshot.archive.downloads").description("Archive downloads by how they ended")
                .tag("status", status.name()).register(registry);
    }

    /** {@code fhir_snapshot_archive_sent_bytes_total}. */
    static Counter sentBytesCounter(MeterRegistry registry) {
        return Counter.builder("fhir.snapshot.archive.sent").baseUnit("bytes")
                .description("Bytes of archives streamed to clients").register(registry);
    }

    /**
     * Fetches the first page of entries (a 404 problem for an unknown project) and records the download as
     * streaming: the streamed path ({@code ndjson}, or {@code json} with {@code type}/{@code from}/{@code to}),
     * chunked, length unknown. Nothing has been sent yet when this returns.
     *
     * @param downloadedBy who asks, as the audit records it (the caller's name from the token)
     */
    public ArchiveDownload prepare(String projectKey, ArchiveFilters filters, String downloadedBy) {
        List<ArchiveEntry> firstPage = awaitPage(projectKey, filters, null);
        long id = recordStart(projectKey, filters.auditView(), downloadedBy);
        LOG.infof("Download %d of project %s started (format %s, streamed)", id, projectKey, filters.format());
        return new ArchiveDownload(id, projectKey, out -> {
            try (ArchiveWriter writer = new ArchiveWriter(out, store, projectKey, filters,
                    config.compressionLevel())) {
                writeEntries(projectKey, filters, firstPage, writer::add);
                writer.finish();
                return writer.filesWritten();
            }
        });
    }

    /**
     * Checks what {@link #prepare} checks (a 404 problem for an unknown project, mrn-service reachable) without
     * recording a download: for a HEAD of a streamed archive.
     */
    public void check(String projectKey, ArchiveFilters filters) {
        awaitPage(projectKey, filters, null);
    }

    /**
     * Lays out a plain {@code json} archive (no {@code type}/{@code from}/{@code to}) before anything is sent: lists
     * every entry from mrn-service and reads each payload's gzip header and trailer, so that the archive's length,
     * ETag and bytes at any offset are known. A 404 problem for an unknown project.
     */
    public PlannedArchive plan(String projectKey, ArchiveFilters filters) {
        PlannedArchive.Planner planner = new PlannedArchive.Planner(store, projectKey, filters);
        try {
            writeEntries(projectKey, filters, awaitPage(projectKey, filters, null), planner::add);
            return planner.finish();
        } catch (IOException e) {
            // Names a payload ref at most, never an MRN.
            LOG.errorf("Planning an archive of project %s failed: %s", projectKey, e.toString());
            throw new ProblemException(500, "Archive failed",
                    "The archive could not be laid out: a stored payload is unreadable. Try again; if it fails"
                            + " again, tell an operator.");
        }
    }

    /**
     * Records the download of bytes {@code first..last} of a planned archive as streaming. Nothing has been sent yet
     * when this returns.
     *
     * @param downloadedBy who asks, as the audit records it (the caller's name from the token)
     */
    public ArchiveDownload startPlanned(String projectKey, ArchiveFilters filters, PlannedArchive plan, long first,
            long last, String downloadedBy) {
        Map<String, Object> audit = new LinkedHashMap<>(filters.auditView());
        if (first != 0 || last != plan.length() - 1) {
            audit.put("range", "bytes=" + first + "-" + last + "/" + plan.length());
        }
        long id = recordStart(projectKey, audit, downloadedBy);
        LOG.infof("Download %d of project %s started (format json, %d of %d bytes)", id, projectKey,
                last - first + 1, plan.length());
        return new ArchiveDownload(id, projectKey,
                out -> plan.writeTo(out, store, first, last, config.verifyPayloads()));
    }

    /**
     * One instance's stored payload, unaltered (inflated from the store), as a download: checks that the project has
     * the instance and that its payload is stored (else a {@link NoStoredPayloadException} 404; a 404
     * {@link ProjectNotFoundException} for an unknown project), then records the download as streaming, with the
     * instance and its mapping but no MRN. The payload is opened only when the body is written, and streamed, never
     * held in memory; its SHA-256 is checked against its reference as it goes (a mismatch fails the download).
     *
     * @param downloadedBy who asks, as the audit records it (the caller's name from the token)
     */
    public ArchiveDownload preparePayload(String projectKey, long instanceId, String downloadedBy) {
        ArchiveEntry entry = storedPayload(projectKey, instanceId);
        Map<String, Object> audit = new LinkedHashMap<>();
        audit.put("format", "payload");
        audit.put("instanceId", entry.instanceId());
        audit.put("mappingId", entry.mappingId());
        audit.put("mappingKey", entry.mappingKey());
        long id = recordStart(projectKey, audit, downloadedBy);
        LOG.infof("Download %d of project %s started (payload of instance %d)", id, projectKey, instanceId);
        return new ArchiveDownload(id, projectKey, out -> {
            copyVerified(entry.payloadRef(), out);
            return 1;
        });
    }

    /**
     * Checks what {@link #preparePayload} checks (the instance, its stored payload) without recording a download: for
     * a HEAD.
     */
    public void checkPayload(String projectKey, long instanceId) {
        storedPayload(projectKey, instanceId);
    }

    /** The instance's entry, once mrn-service listed it with a payload and the store holds that payload. */
    private ArchiveEntry storedPayload(String projectKey, long instanceId) {
        ArchiveEntry entry = await(() -> mrnService.entry(projectKey, instanceId)).filter(e -> e.payloadRef() != null)
                .orElseThrow(() -> new NoStoredPayloadException(projectKey, instanceId));
        try {
            store.compressedSize(entry.payloadRef()); // a stat or a HEAD: never reads the payload
        } catch (PayloadNotFoundException e) {
            LOG.warnf("Instance %d of project %s names payload %s, which the store does not hold", instanceId,
                    projectKey, entry.payloadRef());
            throw new NoStoredPayloadException(projectKey, instanceId);
        } catch (IOException e) {
            LOG.errorf("Payload %s of instance %d of project %s is unreadable: %s", entry.payloadRef(), instanceId,
                    projectKey, e.toString());
            throw new ProblemException(503, "Service unavailable",
                    "The payload store could not be read; try again in a moment.");
        }
        return entry;
    }

    /** Copies the payload {@code ref} to {@code out}, inflated, and fails if its bytes do not match {@code ref}. */
    private void copyVerified(String ref, OutputStream out) throws IOException {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = store.open(ref)) {
            byte[] buffer = new byte[64 * 1024];
            int read;
            while ((read = in.read(buffer)) >= 0) {
                sha256.update(buffer, 0, read);
                out.write(buffer, 0, read);
            }
        }
        if (!ref.equals(StoredPayload.PREFIX + HexFormat.of().formatHex(sha256.digest()))) {
            throw new IOException("payload " + ref + " does not match its reference");
        }
    }

    private long recordStart(String projectKey, Map<String, Object> auditFilters, String downloadedBy) {
        Download download = new Download();
        download.projectKey = projectKey;
        download.downloadedBy = downloadedBy.length() > MAX_NAME ? downloadedBy.substring(0, MAX_NAME) : downloadedBy;
        download.startedAt = clock.instant();
        download.filters = auditFilters;
        download.status = DownloadStatus.streaming;
        await(() -> Panache.withTransaction(() -> downloads.persist(download)));
        return download.id;
    }

    private List<ArchiveEntry> awaitPage(String projectKey, ArchiveFilters filters, Long afterId) {
        return await(() -> mrnService.page(projectKey, filters, afterId, config.pageSize()));
    }

    @FunctionalInterface
    private interface EntrySink {
        void add(ArchiveEntry entry) throws IOException;
    }

    /** Pages through mrn-service's entries in id order and hands on those that match the filters. */
    private void writeEntries(String projectKey, ArchiveFilters filters, List<ArchiveEntry> firstPage,
            EntrySink sink) throws IOException {
        List<ArchiveEntry> page = firstPage;
        long lastId = Long.MIN_VALUE;
        while (!page.isEmpty()) {
            for (ArchiveEntry entry : page) {
                if (entry.instanceId() <= lastId) {
                    throw new IllegalStateException("mrn-service listed archive entries out of order");
                }
                lastId = entry.instanceId();
                if (filters.matches(entry)) {
                    sink.add(entry);
                }
            }
            page = awaitPage(projectKey, filters, lastId);
        }
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

    /** Writes an archive's bytes and returns how many payload files it sent. */
    @FunctionalInterface
    interface ArchiveBody {
        int writeTo(OutputStream out) throws IOException;
    }

    /** One download, checked and recorded, ready to stream. */
    public final class ArchiveDownload {

        private final long id;
        private final String projectKey;
        private final ArchiveBody body;

        private ArchiveDownload(long id, String projectKey, ArchiveBody body) {
            this.id = id;
            this.projectKey = projectKey;
            this.body = body;
        }

        public long id() {
            return id;
        }

        /**
         * Streams the ZIP (or the asked range of it) to {@code out} (not closed), then records how the download
         * ended: completed, aborted (the client went away) or failed.
         *
         * @throws ArchiveFailedException when the service could not finish the archive
         */
        public void writeTo(OutputStream out) {
            Timer.Sample timing = Timer.start(registry);
            ClientOutputStream client = new ClientOutputStream(out);
            DownloadStatus status = DownloadStatus.failed;
            int files = 0;
            try {
                files = body.writeTo(client);
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
                record(status, files, client.count());
                timing.stop(registry.timer("fhir.snapshot.archive.download.duration", "status", status.name()));
            }
        }

        private void record(DownloadStatus status, int files, long bytes) {
            try {
                await(() -> Panache.withTransaction(() -> downloads.finish(id, status, files, bytes,
                        clock.instant())));
            } catch (RuntimeException e) {
                LOG.errorf(e, "Could not record the end of download %d", id);
            }
            downloadsCounter(registry, status).increment();
            sentBytesCounter(registry).increment(bytes);
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
