package org.fhirsnapshot.e2e;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.util.List;

/**
 * Copies this JVM's {@code System.out} and {@code System.err} into two files while a stack runs, so that the PHI
 * scan reads what the stack logs in the test JVM: PostgreSQL's server log (the embedded server's output goes to an
 * SLF4J logger here, not to a file), the sandbox's and the launcher's lines. The console still gets everything.
 */
final class ConsoleCapture implements AutoCloseable {

    private final PrintStream originalOut = System.out;
    private final PrintStream originalErr = System.err;
    private final FileOutputStream outFile;
    private final FileOutputStream errFile;
    private final Path outPath;
    private final Path errPath;

    private ConsoleCapture(Path outPath, Path errPath) throws IOException {
        this.outPath = outPath;
        this.errPath = errPath;
        this.outFile = new FileOutputStream(outPath.toFile(), true);
        this.errFile = new FileOutputStream(errPath.toFile(), true);
    }

    /** Starts copying into {@code <directory>/test-jvm.out.log} and {@code <directory>/test-jvm.err.log}. */
    static ConsoleCapture start(Path directory) {
        try {
            ConsoleCapture capture = new ConsoleCapture(directory.resolve("test-jvm.out.log"),
                    directory.resolve("test-jvm.err.log"));
            Charset charset = Charset.defaultCharset();
            System.setOut(new PrintStream(new Tee(capture.originalOut, capture.outFile), true, charset));
            System.setErr(new PrintStream(new Tee(capture.originalErr, capture.errFile), true, charset));
            return capture;
        } catch (IOException e) {
            throw new UncheckedIOException("could not capture the console", e);
        }
    }

    /** The two files, for the PHI scan. */
    List<Path> files() {
        return List.of(outPath, errPath);
    }

    /** Gives the console back and closes the files. */
    @Override
    public void close() {
        System.out.flush();
        System.err.flush();
        System.setOut(originalOut);
        System.setErr(originalErr);
        try {
            outFile.close();
            errFile.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes to the console and to the file; a closed file (a late line after close) only drops the copy. */
    private static final class Tee extends OutputStream {

        private final OutputStream console;
        private final OutputStream file;

        Tee(OutputStream console, OutputStream file) {
            this.console = console;
            this.file = file;
        }

        @Override
        public synchronized void write(int b) throws IOException {
            console.write(b);
            copy(() -> file.write(b));
        }

        @Override
        public synchronized void write(byte[] bytes, int offset, int length) throws IOException {
            console.write(bytes, offset, length);
            copy(() -> file.write(bytes, offset, length));
        }

        @Override
        public synchronized void flush() throws IOException {
            console.flush();
            copy(file::flush);
        }

        private static void copy(IoAction action) {
            try {
                action.run();
            } catch (IOException e) {
                // The capture has ended; the console got the line.
            }
        }

        private interface IoAction {
            void run() throws IOException;
        }
    }
}
