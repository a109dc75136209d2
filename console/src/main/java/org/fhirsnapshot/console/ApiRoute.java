package org.fhirsnapshot.console;

/**
 * Where one {@code /api/**} call goes.
 *
 * @param backend the service that owns the address
 * @param eventStream whether the answer is a Server-Sent Events stream (forwarded without an idle timeout)
 */
public record ApiRoute(Backend backend, boolean eventStream) {
}
