package org.fhirsnapshot.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.fhirsnapshot.infra.Service;
import org.fhirsnapshot.launcher.LocalStack;
import org.fhirsnapshot.launcher.StackOptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A local stack of its own for a test that kills or stops parts of it while a snapshot runs (CrashRecoveryIT,
 * RollingRestartIT): one fetch-worker, pinned builds (a module rebuilt by someone else during the run, or between a
 * stop and the restart, does not pull the jars from under the stack), data and logs in a temporary directory, the
 * test JVM's console captured (PostgreSQL's server log ends up there), and after the test class the stack stopped and
 * every log scanned for PHI. Registered with {@code @RegisterExtension} on a static field.
 */
final class DisturbedStack implements BeforeAllCallback, AfterAllCallback {

    private final String name;
    private final Map<Service, Map<String, String>> extra;
    private Path work;
    private ConsoleCapture jvmConsole;
    private LocalStack stack;

    /**
     * The stack to start before the test class, the services of {@code extra} with those properties added;
     * {@code name} prefixes every line printed and names the temporary directory.
     */
    DisturbedStack(String name, Map<Service, Map<String, String>> extra) {
        this.name = name;
        this.extra = extra;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        work = Files.createTempDirectory("fhir-snapshot-" + name);
        jvmConsole = ConsoleCapture.start(work);
        stack = LocalStack.start(new StackOptions(work.resolve("stack"), true, StackOptions.anyPorts(), 0, 0, 0, 1,
                extra, true), (part, endpoint) -> System.out.printf("%s: %s ready at %s%n", name, part, endpoint));
        System.out.println(name + ": stack data and logs in " + work.resolve("stack"));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (work != null) {
            PhiLogScan.stopAndScan(stack, jvmConsole, work.resolve("stack"), 1, List.of());
        }
    }

    LocalStack stack() {
        return stack;
    }

    /** What prefixes the lines the test prints. */
    String name() {
        return name;
    }

    /** The test's temporary directory (the stack's data and logs are in {@code stack/} under it). */
    Path work() {
        return work;
    }

    Path logs() {
        return work.resolve("stack/logs");
    }
}
