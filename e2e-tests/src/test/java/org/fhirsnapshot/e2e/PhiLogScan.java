package org.fhirsnapshot.e2e;

import static org.assertj.core.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.fhirsnapshot.infra.Service;
import org.fhirsnapshot.launcher.LocalStack;
import org.fhirsnapshot.sandbox.GroundTruth.PatientTruth;
import org.fhirsnapshot.sandbox.SandboxCohort;

/**
 * No PHI in logs: reads every log line a {@code LocalStack} wrote under its data directory (each service's
 * {@code logs/<module>.log}, the extra fetch-worker replicas' {@code logs/worker-N/fetch-worker.log}, anything else
 * under {@code logs/}, and the Kafka broker's {@code kafka/*.log}) and looks for the cohort's MRNs (anywhere in a
 * line), patient ids and patient names (given and family names as whole words, case-sensitive; names shorter than
 * {@value #MIN_NAME_LENGTH} letters are ignored, as they would hit ordinary words). Not scanned: Kafka's
 * {@code kraft-logs} (topic data, not logs). PostgreSQL writes no log file there: its server log goes to the test
 * JVM's console, which {@link ConsoleCapture} copies into files that the scan reads too.
 *
 * <p>The same lines must not hold a credential either (issue 6): no bearer token (a JWT: three base64url parts, the
 * first two JSON objects) and no PEM private key (the local OIDC key the services get in their environment).
 *
 * <p>A failure names the file, the line number, the logger and which PHI it was by its number in the cohort
 * ("MRN #12", "patient name #3") — never the value itself, so the report does not leak what it found.
 */
final class PhiLogScan {

    /** Shorter patient names are not looked for: "Ada" would hit ordinary words and identifiers. */
    static final int MIN_NAME_LENGTH = 4;

    /** The logger category in the services' console format {@code %d{HH:mm:ss.SSS} %-5p [%c{2.}] %s%e%n}. */
    private static final Pattern LOGGER = Pattern.compile("^\\S+\\s+[A-Z]+\\s+\\[([^\\]\\s]+)\\]");

    /** A JWT as the local key and Keycloak sign them: base64url of '{"' twice, then the signature. */
    private static final Pattern BEARER_TOKEN = Pattern.compile(
            "eyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{16,}");
    private static final Pattern PRIVATE_KEY = Pattern.compile("PRIVATE KEY-----");

    /** Whole words: no letter, digit or underscore right before or after. */
    private static final String WORD_START = "(?<![\\p{L}\\p{N}_])";
    private static final String WORD_END = "(?![\\p{L}\\p{N}_])";

    private final List<String> mrns;
    private final List<String> patientIds;
    private final List<String> names;
    private final Pattern mrnPattern;
    private final Pattern patientIdPattern;
    private final Pattern namePattern;

    /** One line that holds PHI: where, and which kind by its number; never the value. */
    record Hit(String file, int line, String logger, String phi) {

        @Override
        public String toString() {
            return file + ":" + line + " [" + logger + "] " + phi;
        }
    }

    /** What a scan read (lines per log file, relative to the data directory) and found. */
    record Result(Map<String, Long> linesByFile, List<Hit> hits) {
    }

    PhiLogScan(List<String> mrns, List<String> patientIds, Collection<String> names) {
        this.mrns = List.copyOf(mrns);
        this.patientIds = List.copyOf(patientIds);
        this.names = names.stream().filter(name -> name.length() >= MIN_NAME_LENGTH).distinct().sorted().toList();
        this.mrnPattern = alternation("", this.mrns, "");
        this.patientIdPattern = alternation(WORD_START, this.patientIds, WORD_END);
        this.namePattern = alternation(WORD_START, this.names, WORD_END);
    }

    /** The PHI of {@code cohort}: its demo MRNs, its patients' ids and their names. */
    static PhiLogScan of(SandboxCohort cohort) {
        return new PhiLogScan(cohort.demoMrns(), cohort.groundTruth().patients().stream()
                .map(PatientTruth::patientId).filter(Objects::nonNull).toList(), cohort.patientNames());
    }

    /**
     * The end of every end-to-end class: stops {@code stack} (when it started) and the console capture, then, once
     * every process has stopped so that its last line is in, scans the stack's logs, the test JVM's console and
     * {@code otherLogs} for the cohort's PHI (issue 6).
     *
     * @param stackDirectory the stack's data directory
     * @param fetchWorkers how many fetch-worker replicas the stack ran
     */
    static void stopAndScan(LocalStack stack, ConsoleCapture jvmConsole, Path stackDirectory, int fetchWorkers,
            List<Path> otherLogs) {
        if (stack == null) {
            if (jvmConsole != null) {
                jvmConsole.close();
            }
            return;
        }
        SandboxCohort cohort = stack.sandbox().cohort();
        boolean console = stack.process(Service.CONSOLE) != null;
        stack.close();
        jvmConsole.close();
        List<Path> logs = new ArrayList<>(jvmConsole.files());
        logs.addAll(otherLogs);
        if (console) {
            // The console's log, where proxied paths (with MRNs in them) would show if it logged them.
            logs.add(stackDirectory.resolve("logs").resolve(Service.CONSOLE.module() + ".log"));
        }
        of(cohort).assertNoPhiInLogs(stackDirectory, fetchWorkers, logs);
    }

    /** As {@link #assertNoPhiInLogs(Path, int, List)} without the test JVM's own output. */
    void assertNoPhiInLogs(Path dataDirectory, int fetchWorkers) {
        assertNoPhiInLogs(dataDirectory, fetchWorkers, List.of());
    }

    /**
     * Fails unless every service's log (and each of the {@code fetchWorkers} replicas', and the Kafka broker's)
     * under {@code dataDirectory} and each of {@code testJvmLogs} (the test JVM's captured console, where PostgreSQL
     * logs) has at least one line, and no line of them holds PHI of the cohort.
     */
    void assertNoPhiInLogs(Path dataDirectory, int fetchWorkers, List<Path> testJvmLogs) {
        Result result = scan(dataDirectory, testJvmLogs);
        List<String> expected = new ArrayList<>();
        for (Service service : Service.BACKENDS) {
            expected.add("logs/" + service.module() + ".log");
        }
        for (int worker = 2; worker <= fetchWorkers; worker++) {
            expected.add("logs/worker-" + worker + "/" + Service.FETCH_WORKER.module() + ".log");
        }
        expected.add("kafka/broker.log");
        testJvmLogs.forEach(file -> expected.add(relative(dataDirectory, file)));
        List<String> empty = expected.stream().filter(file -> result.linesByFile().getOrDefault(file, 0L) == 0)
                .toList();
        if (!empty.isEmpty()) {
            fail("the PHI scan read no line of %s under %s (read: %s): a log that moved would let it pass unseen",
                    empty, dataDirectory, result.linesByFile());
        }
        if (!result.hits().isEmpty()) {
            fail("PHI or credentials in %d log line(s) under %s (values withheld; numbers are 1-based positions in the cohort's "
                    + "demo MRNs, patient ids and sorted patient names):%n%s", result.hits().size(), dataDirectory,
                    result.hits().stream().map(hit -> "  " + hit).collect(Collectors.joining("\n")));
        }
        System.out.printf(
                "PHI scan: %d lines in %d log files under %s, no MRN, patient id, name, token or key (%d MRNs, "
                        + "%d ids, %d names of %d+ letters)%n",
                result.linesByFile().values().stream()
                        .mapToLong(Long::longValue).sum(),
                result.linesByFile().size(), dataDirectory, mrns.size(),
                patientIds.size(), names.size(), MIN_NAME_LENGTH);
    }

    /** Reads every log file under {@code dataDirectory}. */
    Result scan(Path dataDirectory) {
        return scan(dataDirectory, List.of());
    }

    /** Reads every log file under {@code dataDirectory} and each of {@code otherLogs} that exists. */
    Result scan(Path dataDirectory, List<Path> otherLogs) {
        Map<String, Long> linesByFile = new TreeMap<>();
        List<Hit> hits = new ArrayList<>();
        // A set: a log named among otherLogs may also lie under dataDirectory; it is read once.
        Set<Path> files = new LinkedHashSet<>();
        logFiles(dataDirectory).forEach(file -> files.add(file.toAbsolutePath().normalize()));
        otherLogs.stream().filter(Files::isRegularFile).forEach(file -> files.add(file.toAbsolutePath().normalize()));
        for (Path file : files) {
            String relative = relative(dataDirectory, file);
            linesByFile.put(relative, scanFile(file, relative, hits));
        }
        return new Result(linesByFile, hits);
    }

    private static String relative(Path dataDirectory, Path file) {
        return dataDirectory.toAbsolutePath().relativize(file.toAbsolutePath()).toString().replace('\\', '/');
    }

    private static List<Path> logFiles(Path dataDirectory) {
        List<Path> files = new ArrayList<>();
        try {
            Path logs = dataDirectory.resolve("logs");
            if (Files.isDirectory(logs)) {
                try (Stream<Path> paths = Files.walk(logs)) {
                    paths.filter(Files::isRegularFile).filter(path -> path.toString().endsWith(".log"))
                            .forEach(files::add);
                }
            }
            Path kafka = dataDirectory.resolve("kafka");
            if (Files.isDirectory(kafka)) {
                // Only the broker's own logs: kraft-logs/ holds the topics' data, which is no log.
                try (Stream<Path> paths = Files.list(kafka)) {
                    paths.filter(Files::isRegularFile).filter(path -> path.toString().endsWith(".log"))
                            .forEach(files::add);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not list the logs under " + dataDirectory, e);
        }
        files.sort(null);
        return files;
    }

    private long scanFile(Path file, String relative, List<Hit> hits) {
        long count = 0;
        // Lenient decoding: a stray byte must not end the scan; MRNs, ids and names are ASCII.
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(Files.newInputStream(file),
                StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                        .onUnmappableCharacter(CodingErrorAction.REPLACE)))) {
            String line;
            while ((line = reader.readLine()) != null) {
                count++;
                List<String> found = new ArrayList<>();
                find(mrnPattern, line, mrns, "MRN", found);
                find(patientIdPattern, line, patientIds, "patient id", found);
                find(namePattern, line, names, "patient name", found);
                if (BEARER_TOKEN.matcher(line).find()) {
                    found.add("bearer token");
                }
                if (PRIVATE_KEY.matcher(line).find()) {
                    found.add("private key");
                }
                if (!found.isEmpty()) {
                    Matcher logger = LOGGER.matcher(line);
                    hits.add(new Hit(relative, (int) count, logger.find() ? logger.group(1) : "?",
                            String.join(", ", found)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file, e);
        }
        return count;
    }

    private static void find(Pattern pattern, String line, List<String> values, String kind, List<String> found) {
        if (pattern == null) {
            return;
        }
        Set<Integer> numbers = new LinkedHashSet<>();
        Matcher matcher = pattern.matcher(line);
        while (matcher.find()) {
            numbers.add(values.indexOf(matcher.group()) + 1);
        }
        numbers.forEach(number -> found.add(kind + " #" + number));
    }

    private static Pattern alternation(String before, List<String> values, String after) {
        if (values.isEmpty()) {
            return null;
        }
        // Longest first, so that a value that extends another is reported as itself.
        String choices = values.stream().sorted((a, b) -> b.length() - a.length()).map(Pattern::quote)
                .collect(Collectors.joining("|"));
        return Pattern.compile(before + "(?:" + choices + ")" + after);
    }
}
