package org.fhirsnapshot.console;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A request path that is already in normal form, split into decoded segments. The console routes on these segments
 * and forwards the raw path unchanged, so routing and the service see the same path only if decoding cannot change
 * its structure: {@link #parse} refuses every path whose normalised form would differ from what was sent.
 *
 * @param segments the decoded segments, without the leading empty one ({@code /api/x} → {@code [api, x]})
 */
public record RequestPath(List<String> segments) {

    public RequestPath {
        segments = List.copyOf(segments);
    }

    /**
     * Parses a raw path (as sent, percent-encoded, without the query).
     *
     * @throws Refused when the path is not absolute, holds an empty segment inside it ({@code //}), a dot segment
     *         ({@code .} or {@code ..}), an encoded slash, backslash or dot ({@code %2F},
     *         {@code %5C}, {@code %2E}), a backslash, a malformed escape, bytes that are not UTF-8, or a control character
     */
    public static RequestPath parse(String rawPath) {
        if (rawPath == null || !rawPath.startsWith("/")) {
            throw new Refused("The address must be an absolute path.");
        }
        if (rawPath.indexOf('\\') >= 0) {
            throw new Refused("The address contains a backslash: use '/' between its parts.");
        }
        String[] raw = rawPath.substring(1).split("/", -1);
        List<String> segments = new ArrayList<>(raw.length);
        for (int i = 0; i < raw.length; i++) {
            String segment = raw[i];
            if (segment.isEmpty() && i < raw.length - 1) {
                throw new Refused("The address contains '//': remove the empty part.");
            }
            String decoded = decode(segment);
            if (decoded.equals(".") || decoded.equals("..")) {
                throw new Refused("The address contains a '.' or '..' part: send the address it stands for.");
            }
            segments.add(decoded);
        }
        return new RequestPath(segments);
    }

    private static String decode(String segment) {
        if (segment.chars().anyMatch(Character::isISOControl)) {
            throw new Refused("The address contains a control character: remove it.");
        }
        if (segment.indexOf('%') < 0) {
            return segment;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(segment.length());
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c != '%') {
                bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
                continue;
            }
            if (i + 2 >= segment.length()) {
                throw new Refused("The address contains a '%' that is not followed by two hexadecimal digits.");
            }
            int high = Character.digit(segment.charAt(i + 1), 16);
            int low = Character.digit(segment.charAt(i + 2), 16);
            if (high < 0 || low < 0) {
                throw new Refused("The address contains a '%' that is not followed by two hexadecimal digits.");
            }
            int b = high * 16 + low;
            if (b == '/' || b == '\\' || b == '.') {
                // Unreserved '.' needs no encoding (RFC 3986): an encoded one only hides a dot segment.
                throw new Refused("The address contains an encoded '/', '\\' or '.' (%2F, %5C, %2E): send them "
                        + "unencoded ('.') or not at all.");
            }
            bytes.write(b);
            i += 2;
        }
        String decoded;
        try {
            decoded = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new Refused("The address contains percent-encoded bytes that are not UTF-8.");
        }
        if (decoded.chars().anyMatch(Character::isISOControl)) {
            throw new Refused("The address contains a control character: remove it.");
        }
        return decoded;
    }

    /** A path the console refuses; the message says why, without repeating the path. */
    public static final class Refused extends RuntimeException {

        private static final long serialVersionUID = 1L;

        public Refused(String detail) {
            super(detail, null, false, false);
        }
    }
}
