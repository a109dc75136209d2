package org.fhirsnapshot.e2e;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Generated hostile input: values for path and query parameters, and request bodies, of the kinds an attacker or a
 * broken client sends. Each is named so that a failure says which one it was.
 */
final class HostileInputs {

    /**
     * A named value; {@code refusedByHttpLayer} when the HTTP decoder refuses it (with a bare 400) before any service
     * code runs, so no service can word the answer.
     */
    record Value(String name, String text, boolean refusedByHttpLayer) {

        Value(String name, String text) {
            this(name, text, false);
        }
    }

    /**
     * A named body with its content type; {@code malformed} when no endpoint may accept it (not JSON, not an object,
     * or not in the content type every endpoint takes), rather than merely odd (an endpoint whose fields are all
     * optional may take {@code {}}).
     */
    record Body(String name, String contentType, byte[] bytes, boolean malformed) {
    }

    private HostileInputs() {
    }

    /** Values for a path segment or a query parameter, already percent-encoded where needed for a URL. */
    static List<Value> parameterValues() {
        List<Value> values = new ArrayList<>();
        values.add(new Value("empty", ""));
        values.add(new Value("dot-dot", ".."));
        values.add(new Value("encoded traversal", "%2e%2e%2f%2e%2e%2fetc%2fpasswd"));
        values.add(new Value("encoded slash", "a%2Fb"));
        values.add(new Value("double-encoded", "%252e%252e%252f"));
        values.add(new Value("NUL", "a%00b"));
        values.add(new Value("CRLF injection", "a%0d%0aSet-Cookie:%20x=1"));
        values.add(new Value("SQL", "'%20OR%20'1'='1'--"));
        values.add(new Value("script", "%3Cscript%3Ealert(1)%3C%2Fscript%3E"));
        values.add(new Value("negative", "-1"));
        values.add(new Value("zero", "0"));
        values.add(new Value("huge number", "99999999999999999999999999"));
        values.add(new Value("max long", Long.toString(Long.MAX_VALUE)));
        values.add(new Value("float", "1.5e308"));
        values.add(new Value("NaN", "NaN"));
        values.add(new Value("unicode", "%C3%9F%E6%BC%A2%F0%9F%92%A5"));
        values.add(new Value("overlong UTF-8", "%C0%AF"));
        values.add(new Value("invalid percent", "%ZZ", true));
        values.add(new Value("long", "a".repeat(8_000)));
        values.add(new Value("bad date", "2024-13-45"));
        values.add(new Value("date with zone trick", "2024-01-01T00:00:00%2B99:99"));
        values.add(new Value("JSON", "%7B%22a%22:1%7D"));
        values.add(new Value("upper-case key", "DEMO"));
        values.add(new Value("spaces", "%20%20a%20%20"));
        return values;
    }

    /** Bodies for calls that take one. */
    static List<Body> bodies() {
        List<Body> bodies = new ArrayList<>();
        bodies.add(json("empty body", ""));
        bodies.add(malformed("truncated JSON", "{\"name\": \"x\""));
        bodies.add(json("JSON null", "null"));
        bodies.add(malformed("JSON string", "\"hello\""));
        bodies.add(malformed("JSON number", "42"));
        bodies.add(malformed("JSON array", "[1,2,3]"));
        bodies.add(json("empty object", "{}"));
        bodies.add(json("wrong types", "{\"name\":[1],\"key\":{},\"type\":7,\"spec\":false,\"baseUrl\":1,"
                + "\"fhirSystemId\":\"x\",\"enabled\":\"yes\",\"mrns\":\"x\",\"wanted\":\"many\",\"millis\":[]}"));
        bodies.add(json("nulls everywhere", "{\"name\":null,\"key\":null,\"type\":null,\"spec\":null,\"baseUrl\":null,"
                + "\"fhirSystemId\":null,\"enabled\":null,\"mrns\":null,\"auth\":null,\"limits\":null}"));
        bodies.add(json("unknown fields only", "{\"__proto__\":{\"admin\":true},\"constructor\":1}"));
        bodies.add(json("negative numbers", "{\"fhirSystemId\":-1,\"wanted\":-5,\"millis\":-1,\"inUse\":-1,"
                + "\"maxConcurrency\":-1,\"requestsPerSecond\":-1,\"limits\":{\"maxConcurrency\":-1}}"));
        bodies.add(json("huge numbers", "{\"fhirSystemId\":1e400,\"wanted\":99999999999999999999,"
                + "\"millis\":99999999999999999999}"));
        bodies.add(malformed("deep nesting", "[".repeat(5_000) + "]".repeat(5_000)));
        bodies.add(json("long string", "{\"name\":\"" + "x".repeat(1_000_000) + "\"}"));
        bodies.add(json("duplicate keys", "{\"key\":\"a\",\"key\":\"b\"}"));
        bodies.add(json("hostile strings", "{\"key\":\"../../etc\",\"name\":\"<script>\",\"spec\":\"http://evil"
                + ".example/Observation\",\"baseUrl\":\"file:///etc/passwd\",\"type\":\"custom\",\"mrns\":[\"\","
                + "\" \",\"a\\u0000b\",\"" + "9".repeat(300) + "\"]}"));
        bodies.add(new Body("invalid UTF-8", "application/json", new byte[]{'{', '"', 'a', '"', ':', '"',
                (byte) 0xC3, (byte) 0x28, '"', '}'}, true));
        bodies.add(new Body("XML", "application/xml", "<a>1</a>".getBytes(StandardCharsets.UTF_8), true));
        bodies.add(new Body("form", "application/x-www-form-urlencoded", "a=1&b=2".getBytes(StandardCharsets.UTF_8),
                true));
        bodies.add(new Body("binary", "application/octet-stream", new byte[]{0, 1, 2, (byte) 0xFF}, true));
        return bodies;
    }

    private static Body json(String name, String text) {
        return new Body(name, "application/json", text.getBytes(StandardCharsets.UTF_8), false);
    }

    private static Body malformed(String name, String text) {
        return new Body(name, "application/json", text.getBytes(StandardCharsets.UTF_8), true);
    }
}
