package org.fhirsnapshot.e2e;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;

/**
 * A tiny OpenTelemetry collector for the tests: accepts OTLP/HTTP protobuf trace exports ({@code POST /v1/traces},
 * what Quarkus's exporter sends with {@code quarkus.otel.exporter.otlp.traces.protocol=http/protobuf}) and decodes the
 * few fields the tests read, straight from the protobuf wire format (no generated classes): per span the service
 * (resource attribute {@code service.name}), trace id, span id, parent span id, name and string/int attributes.
 */
final class OtlpReceiver implements AutoCloseable {

    /** One span as exported. */
    record ExportedSpan(String service, String traceId, String spanId, String parentSpanId, String name,
            Map<String, String> attributes) {
    }

    private final HttpServer server;
    private final List<ExportedSpan> spans = new CopyOnWriteArrayList<>();
    private final List<String> failures = new CopyOnWriteArrayList<>();

    private OtlpReceiver(HttpServer server) {
        this.server = server;
    }

    static OtlpReceiver start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        OtlpReceiver receiver = new OtlpReceiver(server);
        server.createContext("/v1/traces", exchange -> {
            try (InputStream body = exchange.getRequestBody()) {
                byte[] bytes = body.readAllBytes();
                if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
                    bytes = new GZIPInputStream(new ByteArrayInputStream(bytes)).readAllBytes();
                }
                receiver.spans.addAll(decodeRequest(bytes));
                exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
                exchange.sendResponseHeaders(200, -1);
            } catch (RuntimeException e) {
                receiver.failures.add(e.toString());
                exchange.sendResponseHeaders(400, -1);
            } finally {
                exchange.close();
            }
        });
        server.start();
        return receiver;
    }

    /** The base URL to give {@code quarkus.otel.exporter.otlp.traces.endpoint}. */
    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    List<ExportedSpan> spans() {
        return List.copyOf(spans);
    }

    List<String> failures() {
        return List.copyOf(failures);
    }

    @Override
    public void close() {
        server.stop(0);
    }

    // ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
    static List<ExportedSpan> decodeRequest(byte[] bytes) {
        List<ExportedSpan> result = new ArrayList<>();
        for (Field resourceSpans : fields(bytes)) {
            if (resourceSpans.number == 1) {
                result.addAll(decodeResourceSpans(resourceSpans.bytes));
            }
        }
        return result;
    }

    // ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
    // Resource { repeated KeyValue attributes = 1; }  ScopeSpans { scope = 1; repeated Span spans = 2; }
    private static List<ExportedSpan> decodeResourceSpans(byte[] bytes) {
        String service = "?";
        List<byte[]> spanMessages = new ArrayList<>();
        for (Field field : fields(bytes)) {
            if (field.number == 1) {
                Map<String, String> resource = new LinkedHashMap<>();
                for (Field attribute : fields(field.bytes)) {
                    if (attribute.number == 1) {
                        keyValue(attribute.bytes, resource);
                    }
                }
                service = resource.getOrDefault("service.name", "?");
            } else if (field.number == 2) {
                for (Field scopeField : fields(field.bytes)) {
                    if (scopeField.number == 2) {
                        spanMessages.add(scopeField.bytes);
                    }
                }
            }
        }
        List<ExportedSpan> result = new ArrayList<>();
        for (byte[] span : spanMessages) {
            result.add(decodeSpan(service, span));
        }
        return result;
    }

    // Span { bytes trace_id = 1; bytes span_id = 2; bytes parent_span_id = 4; string name = 5;
    //        repeated KeyValue attributes = 9; repeated Event events = 11 (with attributes = 3); }
    private static ExportedSpan decodeSpan(String service, byte[] bytes) {
        String traceId = "";
        String spanId = "";
        String parent = "";
        String name = "";
        Map<String, String> attributes = new LinkedHashMap<>();
        for (Field field : fields(bytes)) {
            switch (field.number) {
                case 1 -> traceId = HexFormat.of().formatHex(field.bytes);
                case 2 -> spanId = HexFormat.of().formatHex(field.bytes);
                case 4 -> parent = HexFormat.of().formatHex(field.bytes);
                case 5 -> name = new String(field.bytes, StandardCharsets.UTF_8);
                case 9 -> keyValue(field.bytes, attributes);
                case 11 -> {
                    for (Field eventField : fields(field.bytes)) {
                        if (eventField.number == 3) {
                            keyValue(eventField.bytes, attributes);
                        }
                    }
                }
                default -> {
                }
            }
        }
        return new ExportedSpan(service, traceId, spanId, parent, name, attributes);
    }

    // KeyValue { string key = 1; AnyValue value = 2; }
    // AnyValue { string_value = 1; bool_value = 2; int_value = 3; double_value = 4; array_value = 5; kvlist = 6;
    //            bytes_value = 7; }  (arrays and lists: their strings, joined)
    private static void keyValue(byte[] bytes, Map<String, String> into) {
        String key = null;
        String value = "";
        for (Field field : fields(bytes)) {
            if (field.number == 1) {
                key = new String(field.bytes, StandardCharsets.UTF_8);
            } else if (field.number == 2) {
                value = anyValue(field.bytes);
            }
        }
        if (key != null) {
            into.merge(key, value, (a, b) -> a + "|" + b);
        }
    }

    private static String anyValue(byte[] bytes) {
        StringBuilder value = new StringBuilder();
        for (Field field : fields(bytes)) {
            switch (field.number) {
                case 1, 7 -> value.append(new String(field.bytes, StandardCharsets.UTF_8));
                case 2, 3 -> value.append(field.varint);
                case 4 -> value.append(Double.longBitsToDouble(field.varint));
                case 5 -> {
                    for (Field element : fields(field.bytes)) {
                        value.append(anyValue(element.bytes)).append(',');
                    }
                }
                case 6 -> {
                    Map<String, String> nested = new LinkedHashMap<>();
                    for (Field entry : fields(field.bytes)) {
                        keyValue(entry.bytes, nested);
                    }
                    value.append(nested);
                }
                default -> {
                }
            }
        }
        return value.toString();
    }

    /** One field of a protobuf message: its number and either its varint/fixed value or its bytes. */
    private record Field(int number, long varint, byte[] bytes) {
    }

    private static List<Field> fields(byte[] bytes) {
        List<Field> fields = new ArrayList<>();
        int[] at = {0};
        while (at[0] < bytes.length) {
            long tag = varint(bytes, at);
            int number = (int) (tag >>> 3);
            int wireType = (int) (tag & 7);
            switch (wireType) {
                case 0 -> fields.add(new Field(number, varint(bytes, at), null));
                case 1 -> {
                    long value = 0;
                    for (int i = 0; i < 8; i++) {
                        value |= (bytes[at[0] + i] & 0xFFL) << (8 * i);
                    }
                    at[0] += 8;
                    fields.add(new Field(number, value, null));
                }
                case 2 -> {
                    int length = (int) varint(bytes, at);
                    byte[] content = new byte[length];
                    System.arraycopy(bytes, at[0], content, 0, length);
                    at[0] += length;
                    fields.add(new Field(number, 0, content));
                }
                case 5 -> {
                    long value = 0;
                    for (int i = 0; i < 4; i++) {
                        value |= (bytes[at[0] + i] & 0xFFL) << (8 * i);
                    }
                    at[0] += 4;
                    fields.add(new Field(number, value, null));
                }
                default -> throw new IllegalArgumentException("unsupported protobuf wire type " + wireType);
            }
        }
        return fields;
    }

    private static long varint(byte[] bytes, int[] at) {
        long value = 0;
        int shift = 0;
        while (true) {
            byte b = bytes[at[0]++];
            value |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
            shift += 7;
        }
    }
}
