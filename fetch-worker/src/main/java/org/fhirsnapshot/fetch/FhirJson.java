package org.fhirsnapshot.fetch;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * Reads and writes FHIR JSON as a Jackson tree without changing what the EHR said: decimals keep their scale
 * ({@code 1.50} stays {@code 1.50}, FHIR treats the precision as meaningful), and long strings (base64 attachments)
 * are accepted. Resources are never re-modelled. Thread-safe.
 */
public final class FhirJson {

    /** Large enough for base64 attachments of clinical notes; the byte limit of a search bounds the total. */
    private static final int MAX_STRING_LENGTH = 512 * 1024 * 1024;

    private static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(MAX_STRING_LENGTH).build())
            .build())
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();

    private FhirJson() {
    }

    /** The JSON tree of {@code body}, or empty when the body is empty or not JSON. */
    public static Optional<JsonNode> parse(byte[] body) {
        if (body == null || body.length == 0) {
            return Optional.empty();
        }
        try {
            JsonNode node = MAPPER.readTree(body);
            return node == null || node.isMissingNode() ? Optional.empty() : Optional.of(node);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    public static byte[] write(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new UncheckedIOException("a JSON tree could not be written", e);
        }
    }

    /**
     * A generator writing FHIR JSON to {@code out} as {@link #write} does (decimals as read); closing it flushes
     * but does not close {@code out}.
     */
    public static JsonGenerator generator(OutputStream out) throws IOException {
        return MAPPER.createGenerator(out).disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
    }

    public static JsonNodeFactory nodes() {
        return MAPPER.getNodeFactory();
    }
}
