package org.fhirsnapshot.telemetry;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Keeps PHI out of spans (issue #8): HTTP server and client spans carry the request's path and query
 * ({@code url.path}, {@code url.query}, {@code url.full}, and their old names {@code http.target}, {@code http.url}),
 * and an MRN can sit in both (the {@code mrn=} filter of the MRN grid, {@code DELETE .../mrns/{mrn}}). Quarkus picks
 * this CDI bean up as a span processor; it runs when a span starts, after the instrumentation has set those
 * attributes, and overwrites them: the query becomes {@code redacted}, a path segment after {@code /mrns/} becomes
 * {@code {mrn}}. The span's name already is the route template.
 */
@ApplicationScoped
public class PhiSafeSpans implements SpanProcessor {

    static final String REDACTED = "redacted";
    private static final List<AttributeKey<String>> QUERIES = List.of(AttributeKey.stringKey("url.query"));
    private static final List<AttributeKey<String>> PATHS = List.of(AttributeKey.stringKey("url.path"),
            AttributeKey.stringKey("url.full"), AttributeKey.stringKey("http.target"),
            AttributeKey.stringKey("http.url"));
    private static final Pattern MRN_SEGMENT = Pattern.compile("/mrns/[^/?#]+");

    @Override
    public void onStart(Context parentContext, ReadWriteSpan span) {
        for (AttributeKey<String> key : QUERIES) {
            if (span.getAttribute(key) != null) {
                span.setAttribute(key, REDACTED);
            }
        }
        for (AttributeKey<String> key : PATHS) {
            String value = span.getAttribute(key);
            if (value != null) {
                span.setAttribute(key, redact(value));
            }
        }
    }

    /** The path or URL without its query and fragment, and with {@code {mrn}} for an MRN path segment. */
    static String redact(String pathOrUrl) {
        int end = pathOrUrl.length();
        for (char c : new char[]{'?', '#'}) {
            int at = pathOrUrl.indexOf(c);
            if (at >= 0 && at < end) {
                end = at;
            }
        }
        return MRN_SEGMENT.matcher(pathOrUrl.substring(0, end)).replaceAll("/mrns/{mrn}");
    }

    @Override
    public boolean isStartRequired() {
        return true;
    }

    @Override
    public void onEnd(ReadableSpan span) {
    }

    @Override
    public boolean isEndRequired() {
        return false;
    }
}
