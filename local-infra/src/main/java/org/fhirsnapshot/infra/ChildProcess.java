package org.fhirsnapshot.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A child process whose pid is recorded in a file, so that a later run can end one left behind by a parent that
 * was killed (a child JVM survives a {@code kill -9} of its parent).
 */
public final class ChildProcess implements AutoCloseable {

    private final String name;
    private final Process process;
    private final Path pidFile;
    private final Path logFile;

    private ChildProcess(String name, Process process, Path pidFile, Path logFile) {
        this.name = name;
        this.process = process;
        this.pidFile = pidFile;
        this.logFile = logFile;
    }

    /**
     * Starts {@code command}, output to {@code logFile}, after ending a process left behind under the same pid
     * file.
     */
    public static ChildProcess start(String name, List<String> command, Path pidFile, Path logFile) {
        return start(name, command, Map.of(), pidFile, logFile);
    }

    /** As {@link #start(String, List, Path, Path)}, with {@code environment} added to this process's own. */
    public static ChildProcess start(String name, List<String> command, Map<String, String> environment,
            Path pidFile, Path logFile) {
        endLeftover(pidFile);
        try {
            Files.createDirectories(logFile.toAbsolutePath().getParent());
            ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().putAll(environment);
            Process process = builder.redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile())).start();
            Files.writeString(pidFile, Long.toString(process.pid()));
            ChildProcess child = new ChildProcess(name, process, pidFile, logFile);
            Runtime.getRuntime().addShutdownHook(new Thread(child::close, "stop-" + name));
            return child;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + name, e);
        }
    }

    /** Ends a process recorded in {@code pidFile} by an earlier run, if it still lives. */
    public static void endLeftover(Path pidFile) {
        if (!Files.exists(pidFile)) {
            return;
        }
        try {
            long pid = Long.parseLong(Files.readString(pidFile).trim());
            ProcessHandle.of(pid).ifPresent(handle -> {
                handle.destroyForcibly();
                handle.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> handle).join();
            });
            Files.deleteIfExists(pidFile);
        } catch (IOException | NumberFormatException e) {
            // An unreadable pid file names nothing that can be ended.
        }
    }

    /** Waits until {@code ready} holds, failing early when the process dies. */
    public void awaitReady(BooleanSupplier ready, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (!ready.getAsBoolean()) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + logFile);
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException(name + " not ready after " + timeout + "; see " + logFile);
            }
            try {
                process.waitFor(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + name, e);
            }
        }
    }

    /** Whether the log file contains {@code text}. */
    public boolean logContains(String text) {
        try {
            return Files.exists(logFile) && Files.readString(logFile).contains(text);
        } catch (IOException e) {
            return false;
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    public Path logFile() {
        return logFile;
    }

    /**
     * Asks the process to stop ({@code SIGTERM}, as Kubernetes does before a rolling restart) and waits until it has
     * exited, at most {@code grace}; past it the process is killed ({@code SIGKILL}, as Kubernetes would too).
     *
     * @return the exit code, or empty when it had to be killed
     */
    public OptionalInt terminate(Duration grace) {
        process.destroy();
        try {
            if (process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                return OptionalInt.of(process.exitValue());
            }
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        return OptionalInt.empty();
    }

    /** Kills the process at once, as a crash would ({@code kill -9}). */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
        try {
            Files.deleteIfExists(pidFile);
        } catch (IOException e) {
            // Nothing to do: a stale pid file is ended by endLeftover next time.
        }
    }
}
