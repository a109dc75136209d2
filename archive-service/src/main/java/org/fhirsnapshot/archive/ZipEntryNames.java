package org.fhirsnapshot.archive;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The names of the entries of one archive, made from MRNs and mapping keys that may hold anything.
 * <p>
 * {@link #segment(String)} turns one value into one path segment: every byte of its UTF-8 form outside
 * {@code [A-Za-z0-9._-]} is percent-encoded ({@code %2F} for {@code /}, {@code %25} for {@code %} itself), and so is
 * a leading or trailing dot (no {@code .} or {@code ..} segment, no hidden file, no name that Windows would trim) and
 * the first letter of a Windows device name ({@code CON}, {@code NUL}, {@code COM1}…). The result has no separator
 * and no control character, so a value can never escape its folder; and since percent-decoding gives the value back,
 * two different values never get the same segment. A very long value is cut and ends with {@code ~} and a hash of
 * the whole value.
 * <p>
 * An instance remembers the names it gave out, so that two values whose segments differ only in case (which a
 * case-insensitive file system would merge on extraction) or that clash with a file at the root get distinct names:
 * the later one gets a {@code ~2} ({@code ~3}…) suffix, which no encoded value can end with since {@code ~} is always
 * encoded. Not thread-safe: one instance per archive.
 */
public final class ZipEntryNames {

    /** Longest segment kept whole; file systems commonly allow 255 bytes per name. */
    static final int MAX_SEGMENT_LENGTH = 120;
    private static final int CUT_LENGTH = 100;
    private static final Pattern WINDOWS_DEVICE = Pattern.compile("(con|prn|aux|nul|com[0-9]|lpt[0-9])(\\..*)?",
            Pattern.CASE_INSENSITIVE);
    private static final HexFormat HEX = HexFormat.of().withUpperCase();

    private final Map<String, String> folderByValue = new HashMap<>();
    private final Set<String> takenTopLevel = new HashSet<>();
    private final Set<String> takenPaths = new HashSet<>();

    /**
     * Reserves a name at the root of the archive (such as {@code manifest.json}) so that nothing else gets it.
     *
     * @return the name, as given
     */
    public String reserve(String rootName) {
        if (!takenTopLevel.add(rootName.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("root name already in use: " + rootName);
        }
        takenPaths.add(rootName.toLowerCase(Locale.ROOT));
        return rootName;
    }

    /** A file at the root named after {@code value} (such as a resource type), distinct from every other name. */
    public String rootFile(String value, String extension) {
        String name = unique(segment(value), extension, takenTopLevel);
        takenPaths.add((name + extension).toLowerCase(Locale.ROOT));
        return name + extension;
    }

    /** The folder of {@code value} (an MRN): the same folder every time for the same value. */
    public String folder(String value) {
        return folderByValue.computeIfAbsent(value, v -> unique(segment(v), "", takenTopLevel));
    }

    /** {@code {folder}/{name}{extension}}, distinct from every path given out before. */
    public String file(String folderValue, String name, String extension) {
        String folder = folder(folderValue);
        String path = unique(folder + "/" + segment(name), extension, takenPaths);
        return path + extension;
    }

    private static String unique(String base, String extension, Set<String> taken) {
        String candidate = base;
        for (int n = 2; !taken.add((candidate + extension).toLowerCase(Locale.ROOT)); n++) {
            candidate = base + "~" + n;
        }
        return candidate;
    }

    /** One path segment for {@code value}, as described on the class. */
    public static String segment(String value) {
        if (value == null || value.isEmpty()) {
            // Never produced by encoding (a % is always followed by two hex digits), so it cannot clash.
            return "%";
        }
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(bytes.length + 8);
        boolean device = WINDOWS_DEVICE.matcher(value).matches();
        for (int i = 0; i < bytes.length; i++) {
            int b = bytes[i] & 0xff;
            boolean edgeDot = b == '.' && (i == 0 || i == bytes.length - 1);
            if (isSafe(b) && !edgeDot && !(device && i == 0)) {
                out.append((char) b);
            } else {
                out.append('%').append(HEX.toHexDigits((byte) b));
            }
        }
        if (out.length() > MAX_SEGMENT_LENGTH) {
            int cut = CUT_LENGTH;
            // Never cut inside a %XX escape.
            if (out.charAt(cut - 1) == '%') {
                cut -= 1;
            } else if (out.charAt(cut - 2) == '%') {
                cut -= 2;
            }
            String hash = HexFormat.of().formatHex(sha256(bytes), 0, 8);
            return out.substring(0, cut) + "~" + hash;
        }
        return out.toString();
    }

    private static boolean isSafe(int b) {
        return (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '.' || b == '_'
                || b == '-';
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
