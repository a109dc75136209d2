package org.fhirsnapshot.fetch;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Supplier;

/**
 * A non-blocking semaphore: at most {@code permits} pieces of work run at once, the others wait in line without
 * holding a thread. Work cancelled while it waits leaves the line; the worker never cancels work that was granted
 * a permit but has not started, so that race is not handled.
 */
public final class AsyncPermits {

    private final int permits;
    private final Deque<UniEmitter<? super Void>> waiting = new ArrayDeque<>();
    private int inUse;

    public AsyncPermits(int permits) {
        if (permits < 1) {
            throw new IllegalArgumentException("permits must be at least 1");
        }
        this.permits = permits;
    }

    public int permits() {
        return permits;
    }

    /** Runs {@code work} once a permit is free and releases it when the work ends, however it ends. */
    public <T> Uni<T> run(Supplier<Uni<T>> work) {
        return acquire().chain(() -> Uni.createFrom().deferred(() -> work.get()).onTermination().invoke(this::release));
    }

    private Uni<Void> acquire() {
        return Uni.createFrom().emitter(emitter -> {
            boolean granted;
            synchronized (this) {
                granted = inUse < permits;
                if (granted) {
                    inUse++;
                } else {
                    waiting.add(emitter);
                }
            }
            if (granted) {
                emitter.complete(null);
            } else {
                emitter.onTermination(() -> {
                    synchronized (this) {
                        waiting.remove(emitter);
                    }
                });
            }
        });
    }

    private void release() {
        UniEmitter<? super Void> next;
        synchronized (this) {
            next = waiting.poll();
            if (next == null) {
                inUse--;
            }
        }
        if (next != null) {
            next.complete(null);
        }
    }
}
