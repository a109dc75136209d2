package org.fhirsnapshot.launcher;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;

/**
 * A one-line progress bar for the terminal: counts, percentage and an estimate of the time left, redrawn in place.
 * Without a terminal (CI logs) it prints a plain line every few seconds instead.
 */
public final class ProgressBar {

    private static final int WIDTH = 30;

    private final PrintStream out;
    private final boolean interactive;
    private final Instant started = Instant.now();
    private Instant lastPlainLine = Instant.EPOCH;

    public ProgressBar(PrintStream out) {
        this.out = out;
        this.interactive = System.console() != null;
    }

    /** Shows {@code done} of {@code total}, with {@code note} after the counts. */
    public void show(long done, long total, String note) {
        String line = render(done, total, note, Duration.between(started, Instant.now()));
        if (interactive) {
            out.print("\r" + line + "\u001b[K");
            out.flush();
        } else if (Duration.between(lastPlainLine, Instant.now()).toSeconds() >= 5 || done >= total) {
            out.println(line);
            lastPlainLine = Instant.now();
        }
    }

    public void finish() {
        if (interactive) {
            out.println();
        }
    }

    static String render(long done, long total, String note, Duration elapsed) {
        double fraction = total <= 0 ? 0 : Math.min(1.0, (double) done / total);
        int filled = (int) Math.round(fraction * WIDTH);
        String bar = "#".repeat(filled) + "-".repeat(WIDTH - filled);
        String eta = "--:--";
        if (done > 0 && done < total) {
            long remaining = Math.round(elapsed.toMillis() * (double) (total - done) / done / 1000.0);
            eta = clock(remaining);
        } else if (total > 0 && done >= total) {
            eta = "0:00";
        }
        return String.format("[%s] %d/%d %3d%%  %s  elapsed %s  eta %s", bar, done, total,
                Math.round(fraction * 100), note, clock(elapsed.toSeconds()), eta);
    }

    private static String clock(long seconds) {
        return String.format("%d:%02d", seconds / 60, seconds % 60);
    }
}
