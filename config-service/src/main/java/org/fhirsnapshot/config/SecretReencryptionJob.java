package org.fhirsnapshot.config;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.fhirsnapshot.config.config.SecretsConfig;
import org.fhirsnapshot.config.persistence.SecretColumnRepository;
import org.fhirsnapshot.config.persistence.SecretColumnRepository.SecretRow;
import org.jboss.logging.Logger;

/**
 * At startup (after Flyway), brings every stored secret to the current key: values written with a previous key are
 * re-encrypted, values stored in plain text before encryption existed are encrypted. In batches of
 * {@code fhir-snapshot.secrets.reencrypt-batch-size} rows, each batch one transaction whose updates apply only to
 * rows unchanged since they were read; running it again changes nothing (idempotent), so several replicas starting
 * together are safe. Values no configured key decrypts are left as they are and counted. Logs counts only.
 */
@ApplicationScoped
public class SecretReencryptionJob {

    private static final Logger LOG = Logger.getLogger(SecretReencryptionJob.class);

    private final FhirSystemSecrets secrets;
    private final SecretColumnRepository columns;
    private final int batchSize;

    public SecretReencryptionJob(FhirSystemSecrets secrets, SecretColumnRepository columns, SecretsConfig config) {
        this.secrets = secrets;
        this.columns = columns;
        this.batchSize = Math.max(1, config.reencryptBatchSize());
    }

    /**
     * What one run did, in values (a row holds up to three).
     *
     * @param reencrypted values moved from a previous key to the current one
     * @param encrypted legacy plain-text values encrypted
     * @param unreadable values no configured key decrypts (left as they are)
     * @param changedMeanwhile rows left because they changed while the job ran (they were written with the current
     *        key)
     */
    public record Report(int reencrypted, int encrypted, int unreadable, int changedMeanwhile) {
    }

    /**
     * Once per start, after Flyway (which migrates at runtime init, before this event). Requests that arrive while it
     * runs read legacy plain values as they are and previous-key values with that key, so nothing waits for it.
     */
    void onStart(@Observes StartupEvent event) throws SQLException {
        run();
    }

    /** One pass over every row not fully written with the current key. */
    public Report run() throws SQLException {
        String currentPrefix = SecretCipher.PREFIX + secrets.cipher().currentKeyId() + ":";
        int reencrypted = 0;
        int encrypted = 0;
        int unreadable = 0;
        int changedMeanwhile = 0;
        long afterId = 0;
        while (true) {
            List<SecretRow> read = columns.notWrittenWith(currentPrefix, afterId, batchSize);
            if (read.isEmpty()) {
                break;
            }
            afterId = read.get(read.size() - 1).id();
            List<SecretRow> before = new ArrayList<>();
            List<SecretRow> after = new ArrayList<>();
            List<Counts> counts = new ArrayList<>();
            for (SecretRow row : read) {
                Counts rowCounts = new Counts();
                SecretRow rewritten = new SecretRow(row.id(),
                        rewrite(row.token(), FhirSystemSecrets.TOKEN, row.id(), rowCounts),
                        rewrite(row.clientSecret(), FhirSystemSecrets.CLIENT_SECRET, row.id(), rowCounts),
                        rewrite(row.privateKey(), FhirSystemSecrets.PRIVATE_KEY, row.id(), rowCounts));
                unreadable += rowCounts.unreadable;
                if (rowCounts.reencrypted + rowCounts.encrypted > 0) {
                    before.add(row);
                    after.add(rewritten);
                    counts.add(rowCounts);
                }
            }
            if (before.isEmpty()) {
                continue;
            }
            boolean[] applied = columns.rewrite(before, after);
            for (int i = 0; i < applied.length; i++) {
                if (applied[i]) {
                    reencrypted += counts.get(i).reencrypted;
                    encrypted += counts.get(i).encrypted;
                } else {
                    changedMeanwhile++;
                }
            }
        }
        Report report = new Report(reencrypted, encrypted, unreadable, changedMeanwhile);
        if (unreadable > 0) {
            LOG.warnf("Secrets at rest (key id %s): %d value(s) re-encrypted from a previous key, %d plain-text "
                    + "value(s) encrypted, %d value(s) written with a key that is not configured or altered "
                    + "(left as they are; add the missing key to fhir-snapshot.secrets.previous-keys or set those "
                    + "secrets again), %d row(s) changed meanwhile", secrets.cipher().currentKeyId(), reencrypted,
                    encrypted, unreadable, changedMeanwhile);
        } else {
            LOG.infof("Secrets at rest (key id %s): %d value(s) re-encrypted from a previous key, %d plain-text "
                    + "value(s) encrypted, %d row(s) changed meanwhile", secrets.cipher().currentKeyId(),
                    reencrypted, encrypted, changedMeanwhile);
        }
        return report;
    }

    private String rewrite(String stored, String column, long id, Counts counts) {
        if (stored == null || secrets.cipher().isCurrent(stored)) {
            return stored;
        }
        try {
            String rewritten = secrets.reencrypt(stored, column, id);
            if (SecretCipher.isEncrypted(stored)) {
                counts.reencrypted++;
            } else {
                counts.encrypted++;
            }
            return rewritten;
        } catch (SecretCipher.UndecryptableException e) {
            counts.unreadable++;
            return stored;
        }
    }

    private static final class Counts {
        int reencrypted;
        int encrypted;
        int unreadable;
    }
}
