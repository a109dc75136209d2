package org.fhirsnapshot.config;

import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.EstimationProbe;
import io.github.bucket4j.TokensInheritanceStrategy;
import io.github.bucket4j.distributed.BucketProxy;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.fhirsnapshot.config.persistence.SqlStates;
import org.fhirsnapshot.contracts.internal.PermitGrant;
import org.fhirsnapshot.problem.ProblemException;

/**
 * The request rate toward each FHIR system, shared by every fetch-worker replica: one Bucket4j token bucket per
 * FHIR system id, stored in the {@code rate_limit_bucket} table (Bucket4j's PostgreSQL proxy manager, one
 * {@code select … for update} transaction per call, so every config-service replica sees the same bucket). The
 * bucket is refilled greedily at the requests-per-second rate but holds only a fifth of a second of permits
 * ({@link #burstOf}): an EHR that enforces the same rate with a bucket of one second then keeps four fifths of a
 * second of slack for requests that reach it later than their permit was granted (scheduling, GC, network), so
 * a worker never meets its 429 for going too fast.
 * <p>
 * A pause the system asked for ({@link #slowDown}: a worker met 429 with {@code Retry-After}) is kept in
 * {@code fhir_system_pause}; until it ends no permit is granted to any worker, and the answer says when to ask again.
 * <p>
 * Blocking: Bucket4j talks JDBC. Call it from a worker thread only.
 */
@ApplicationScoped
public class RequestRateLimiter {

    /** Most permits one call may ask for. */
    public static final int MAX_WANTED = 1000;

    /** The longest pause a worker may report. */
    public static final long MAX_PAUSE_MILLIS = 3_600_000;

    private final DataSource dataSource;
    private final ProxyManager<Long> buckets;
    private final Counter granted;
    private final Counter refused;

    public RequestRateLimiter(DataSource dataSource, MeterRegistry metrics) {
        this.dataSource = dataSource;
        this.buckets = Bucket4jPostgreSQL.selectForUpdateBasedBuilder(dataSource)
                .table("rate_limit_bucket")
                .idColumn("id")
                .stateColumn("state")
                .build();
        this.granted = Counter.builder("fhir.snapshot.request.permits.granted")
                .description("Request permits granted to fetch-workers, all FHIR systems together").register(metrics);
        this.refused = Counter.builder("fhir.snapshot.request.permits.refused")
                .description("Permit requests answered with no permit (retry later)").register(metrics);
    }

    /**
     * Takes as many permits as the system's bucket holds, up to {@code wanted}. When the rate differs from the one
     * the bucket was made with, the bucket is reconfigured first (Bucket4j's implicit configuration replacement; the
     * tokens it holds are kept, capped at the new capacity).
     *
     * @param systemId the FHIR system, which must exist
     * @param wanted 1..{@link #MAX_WANTED}
     * @param requestsPerSecond at least 1
     * @return the permits granted; when none, how long until the next one
     * @throws ProblemException 404 when the system does not exist
     */
    public PermitGrant take(long systemId, int wanted, int requestsPerSecond) {
        long paused = pausedMillis(systemId);
        if (paused > 0) {
            refused.increment();
            return new PermitGrant(0, paused);
        }
        BucketConfiguration configuration = BucketConfiguration.builder()
                .addLimit(limit -> limit.capacity(burstOf(requestsPerSecond))
                        .refillGreedy(requestsPerSecond, Duration.ofSeconds(1)))
                .build();
        try {
            BucketProxy bucket = buckets.builder()
                    .withImplicitConfigurationReplacement(configurationVersion(systemId, requestsPerSecond),
                            TokensInheritanceStrategy.AS_IS)
                    .build(systemId, () -> configuration);
            long taken = bucket.tryConsumeAsMuchAsPossible(wanted);
            if (taken > 0) {
                granted.increment(taken);
                return new PermitGrant((int) taken, 0);
            }
            refused.increment();
            return new PermitGrant(0, retryAfterMillis(bucket, requestsPerSecond));
        } catch (RuntimeException e) {
            if (isForeignKeyViolation(e)) {
                // The bucket row references fhir_system: no row can be made for a system that does not exist.
                throw FhirSystemService.notFound(systemId);
            }
            throw e;
        }
    }

    /**
     * The configuration version to ask Bucket4j for. Bucket4j replaces a stored configuration only when the version
     * asked for is greater than the stored one, so the rate itself cannot be the version (a lowered rate would never
     * apply). Instead: 0 (never replaces) while the stored bucket already has this rate, else the current time in
     * milliseconds, which is greater than any version stored before, so the newest rate seen wins. Workers that
     * disagree on the rate (one with stale settings) make the bucket switch back and forth; each switch keeps at most
     * the new capacity of tokens, so neither rate is ever exceeded.
     */
    private long configurationVersion(long systemId, int requestsPerSecond) {
        boolean current = buckets.getProxyConfiguration(systemId)
                .map(stored -> stored.getBandwidths().length == 1
                        && stored.getBandwidths()[0].getRefillTokens() == requestsPerSecond
                        && stored.getBandwidths()[0].getCapacity() == burstOf(requestsPerSecond))
                .orElse(false);
        return current ? 0 : System.currentTimeMillis();
    }

    /**
     * Holds every permit of the system back for {@code millis} from now (a longer pause already set stays).
     *
     * @throws ProblemException 404 when the system does not exist
     */
    public void slowDown(long systemId, long millis) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(
                        "insert into fhir_system_pause (system_id, paused_until) "
                                + "values (?, now() + make_interval(secs => ?)) "
                                + "on conflict (system_id) do update set paused_until = "
                                + "greatest(fhir_system_pause.paused_until, excluded.paused_until)")) {
            statement.setLong(1, systemId);
            statement.setDouble(2, millis / 1000.0);
            statement.executeUpdate();
        } catch (SQLException e) {
            if (SqlStates.FOREIGN_KEY_VIOLATION.equals(e.getSQLState())) {
                throw FhirSystemService.notFound(systemId);
            }
            throw new IllegalStateException("the pause of FHIR system " + systemId + " could not be stored", e);
        }
    }

    /** How long the system's pause still lasts, in ms; 0 when there is none. */
    private long pausedMillis(long systemId) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(
                        "select ceil(extract(epoch from paused_until - now()) * 1000)::bigint "
                                + "from fhir_system_pause where system_id = ? and paused_until > now()")) {
            statement.setLong(1, systemId);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? Math.max(1, rows.getLong(1)) : 0;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the pause of FHIR system " + systemId + " could not be read", e);
        }
    }

    /** The most permits the bucket holds: a fifth of a second's worth, at least one. */
    static int burstOf(int requestsPerSecond) {
        return Math.max(1, (requestsPerSecond + 4) / 5);
    }

    private static long retryAfterMillis(BucketProxy bucket, int requestsPerSecond) {
        long oneToken = (1000L + requestsPerSecond - 1) / requestsPerSecond;
        EstimationProbe probe = bucket.estimateAbilityToConsume(1);
        if (probe.canBeConsumed()) {
            // A token arrived since the attempt: asking again right away will get it.
            return 1;
        }
        long wait = TimeUnit.NANOSECONDS.toMillis(probe.getNanosToWaitForRefill() + 999_999);
        return wait > 0 ? Math.min(wait, oneToken) : oneToken;
    }

    private static boolean isForeignKeyViolation(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException sql && SqlStates.FOREIGN_KEY_VIOLATION.equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }
}
