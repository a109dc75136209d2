package org.fhirsnapshot.config;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Validates and resolves a mapping resource's spec. Pure logic: no I/O, no framework.
 * <p>
 * A {@code predefined} spec is a key of the {@link PredefinedCatalog}; its placeholders (such as {@code {study}}) are
 * filled from {@code params}. A {@code custom} spec is a relative FHIR search {@code {Type}?{params}} or
 * {@code {Type}} (one leading {@code /} is tolerated and stripped) on the FHIR system's own base URL: the type must be
 * an R4 resource type (case-sensitive), the spec may not name a scheme or a host, climb with {@code ..}, carry a
 * fragment, or hide any of that behind percent-encoding; parameters are {@code name=value} pairs joined by {@code &}
 * and may not name the patient ({@code patient}, {@code subject}, {@code _id}: the worker adds the patient itself)
 * nor {@code _format} (the worker always asks for JSON). Every rejection is an {@link InvalidMappingException} that
 * says why, without repeating any parameter value.
 */
public final class MappingSpecParser {

    /** Longest spec accepted, in characters. */
    public static final int MAX_SPEC_LENGTH = 2048;
    /** Longest display name accepted, in characters. */
    public static final int MAX_NAME_LENGTH = 200;
    /** Longest mapping key. */
    public static final int MAX_KEY_LENGTH = 64;

    /** Parameter names (before any {@code :modifier} or {@code .chain}) that would name the patient. */
    private static final Set<String> PATIENT_PARAMETERS = Set.of("patient", "subject", "_id");
    private static final Pattern PARAMETER_NAME = Pattern.compile("[A-Za-z0-9_.:-]+");
    private static final Pattern RESOURCE_TYPE_NAME = Pattern.compile("[A-Za-z]+");
    private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:");
    /** A system URI inside a value, as in {@code code=http://loinc.org|8480-6}: its {@code //} is allowed. */
    private static final Pattern SYSTEM_URI_START = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*://");
    /** A FHIR logical id, the form of every catalog parameter (for example a ResearchStudy id). */
    private static final Pattern FHIR_ID = Pattern.compile("[A-Za-z0-9.-]{1,64}");
    private static final String EXAMPLE = "Observation?category=laboratory";

    private final PredefinedCatalog catalog;
    private final Set<String> resourceTypes;

    /**
     * @param catalog the predefined catalog
     * @param resourceTypes the valid resource type names (from the application's R4 {@code FhirContext})
     */
    public MappingSpecParser(PredefinedCatalog catalog, Set<String> resourceTypes) {
        this.catalog = catalog;
        this.resourceTypes = Set.copyOf(resourceTypes);
    }

    /**
     * Validates a mapping resource and resolves its key, resource type and query: the name, then
     * {@link #resolveSearch} (the one place the type, spec and params are checked), then the key.
     *
     * @param name the display name
     * @param type {@code predefined} or {@code custom}
     * @param spec the catalog key or the relative search
     * @param params parameters (may be null)
     * @throws InvalidMappingException saying which field is wrong and why
     */
    public ResolvedMapping resolve(String name, String type, String spec, Map<String, String> params) {
        String displayName = name == null ? "" : name.strip();
        if (displayName.isEmpty()) {
            throw new InvalidMappingException("name", "name is required: a display name such as 'Vital signs'.");
        }
        if (displayName.length() > MAX_NAME_LENGTH) {
            throw new InvalidMappingException("name", "name is longer than " + MAX_NAME_LENGTH + " characters.");
        }
        ResolvedSearch search = resolveSearch(type, spec, params);
        return new ResolvedMapping(search.type(), search.spec(), search.params(), keyOf(displayName, search),
                search.resourceType(), search.query());
    }

    /**
     * Validates a mapping's type, spec and params and resolves the search the worker runs, without a name: what
     * {@link #resolve} checks besides the name, by the same code (so {@code POST /api/catalog/validate} answers
     * exactly what creating the mapping would).
     *
     * @param type {@code predefined} or {@code custom}
     * @param spec the catalog key or the relative search
     * @param params parameters (may be null)
     * @throws InvalidMappingException saying which field is wrong and why
     */
    public ResolvedSearch resolveSearch(String type, String spec, Map<String, String> params) {
        MappingType mappingType = MappingType.named(type).orElseThrow(() -> new InvalidMappingException("type",
                "type must be 'predefined' (a catalog key) or 'custom' (a relative FHIR search)."));
        Map<String, String> givenParams = params == null ? Map.of() : params;
        return switch (mappingType) {
            case predefined -> resolvePredefined(spec, givenParams);
            case custom -> resolveCustom(spec, givenParams);
        };
    }

    /**
     * The mapping's key: the catalog key of a predefined mapping; for a custom search a slug of the name, or the
     * resource type when the name has no Latin letters or digits.
     */
    private static String keyOf(String displayName, ResolvedSearch search) {
        if (search.type() == MappingType.predefined) {
            return search.spec();
        }
        String key = slugOf(displayName);
        return key.isEmpty() ? search.resourceType().toLowerCase(Locale.ROOT) : key;
    }

    /** A key made of the name: lower-case ASCII letters and digits joined by '-', at most 64 characters. */
    public static String slugOf(String name) {
        String ascii = Normalizer.normalize(name == null ? "" : name, Normalizer.Form.NFD).replaceAll("\\p{M}+", "")
                .toLowerCase(Locale.ROOT);
        String slug = ascii.replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        if (slug.length() > MAX_KEY_LENGTH) {
            slug = slug.substring(0, MAX_KEY_LENGTH).replaceAll("-+$", "");
        }
        return slug;
    }

    private ResolvedSearch resolvePredefined(String spec, Map<String, String> params) {
        String key = spec == null ? "" : spec.strip();
        String validKeys = String.join(", ", catalog.keys());
        if (key.isEmpty()) {
            throw new InvalidMappingException("spec",
                    "spec is empty: a predefined mapping names a catalog key, one of " + validKeys + ".");
        }
        PredefinedCatalog.Entry entry = catalog.find(key).orElseThrow(() -> new InvalidMappingException("spec",
                "'" + shorten(key) + "' is not a predefined catalog key; valid keys are " + validKeys + "."));
        for (String given : params.keySet()) {
            if (!entry.parameters().contains(given)) {
                String accepted = entry.parameters().isEmpty()
                        ? "it takes no params"
                        : "it takes only " + String.join(", ", entry.parameters());
                throw new InvalidMappingException("params",
                        "'" + shorten(given) + "' is not a parameter of " + key + ": " + accepted + ".");
            }
        }
        String query = entry.search();
        for (String parameter : entry.parameters()) {
            String value = params.get(parameter);
            String field = "params." + parameter;
            if (value == null || value.isBlank()) {
                throw new InvalidMappingException(field, key + " needs params." + parameter
                        + ", the id of the " + (parameter.equals("study") ? "ResearchStudy" : parameter)
                        + " to search, for example {\"" + parameter + "\": \"1234\"}.");
            }
            if (!FHIR_ID.matcher(value).matches()) {
                throw new InvalidMappingException(field, "params." + parameter
                        + " must be a FHIR id: 1 to 64 letters, digits, '-' or '.'.");
            }
            query = query.replace("{" + parameter + "}", value);
        }
        return new ResolvedSearch(MappingType.predefined, key, new TreeMap<>(params), entry.resourceType(), query);
    }

    private ResolvedSearch resolveCustom(String spec, Map<String, String> params) {
        if (!params.isEmpty()) {
            throw new InvalidMappingException("params",
                    "A custom mapping takes no params: write every search parameter in spec, as in " + EXAMPLE + ".");
        }
        String search = spec == null ? "" : spec.strip();
        if (search.isEmpty()) {
            throw specError("spec is empty: write a relative FHIR search such as " + EXAMPLE + ".");
        }
        if (search.length() > MAX_SPEC_LENGTH) {
            throw specError("spec is longer than " + MAX_SPEC_LENGTH + " characters.");
        }
        if (search.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
            throw specError("spec contains a space or a control character: percent-encode a space in a value as %20.");
        }
        if (search.chars().anyMatch(c -> c > 126)) {
            throw specError("spec contains a non-ASCII character: percent-encode it as UTF-8 (é is %C3%A9).");
        }
        if (search.indexOf('\\') >= 0) {
            throw specError("spec contains a backslash, which some URL parsers read as '/': remove it.");
        }
        if (search.indexOf('#') >= 0) {
            throw specError("spec contains '#', which starts a URL fragment and has no place in a search: "
                    + "percent-encode a '#' in a value as %23.");
        }
        if (search.startsWith("//")) {
            throw specError("spec starts with '//', which names a host: a mapping always searches the FHIR system's "
                    + "own base URL, so write only {Type}?{params}, as in " + EXAMPLE + ".");
        }
        if (search.startsWith("/")) {
            search = search.substring(1);
        }
        int question = search.indexOf('?');
        String path = question < 0 ? search : search.substring(0, question);
        String query = question < 0 ? "" : search.substring(question + 1);

        String resourceType = checkResourceType(path);
        List<String> parameters = checkParameters(query);
        String resolved = parameters.isEmpty() ? resourceType : resourceType + "?" + String.join("&", parameters);
        return new ResolvedSearch(MappingType.custom, spec.strip(), new TreeMap<>(), resourceType, resolved);
    }

    private String checkResourceType(String path) {
        if (path.isEmpty()) {
            throw specError("spec names no resource type: start with one, as in " + EXAMPLE + ".");
        }
        String decoded = percentDecode(path, "the resource type");
        if (!decoded.equals(path)) {
            // Decode, then re-check: '%2e%2e/' is '../' to many servers and proxies.
            checkPathShape(decoded, " once percent-decoded");
            checkPathShape(path, "");
            throw specError("spec percent-encodes the resource type: write it plainly, such as Observation.");
        }
        checkPathShape(path, "");
        if (!RESOURCE_TYPE_NAME.matcher(path).matches()) {
            throw specError("'" + shorten(path) + "' is not a resource type name: a resource type has letters only, "
                    + "such as Observation.");
        }
        if (!resourceTypes.contains(path)) {
            String suggestion = resourceTypes.stream().filter(t -> t.equalsIgnoreCase(path)).findFirst()
                    .map(t -> " (resource types are case-sensitive: did you mean '" + t + "'?)").orElse("");
            throw specError("'" + shorten(path) + "' is not a FHIR R4 resource type" + suggestion + ".");
        }
        return path;
    }

    private static void checkPathShape(String path, String how) {
        Matcher scheme = SCHEME.matcher(path);
        if (scheme.find()) {
            throw specError("spec names a URL scheme ('" + shorten(scheme.group()) + "')" + how + ": a mapping is a "
                    + "search relative to the FHIR system's base URL, such as " + EXAMPLE + ", never a full URL.");
        }
        if (path.contains("..")) {
            throw specError("spec contains '..'" + how + ": a mapping may not climb out of the FHIR base URL.");
        }
        if (path.contains("//")) {
            throw specError("spec contains '//'" + how + ", which names a host or an empty path segment.");
        }
        if (path.contains("/")) {
            throw specError("spec has a '/' before its '?'" + how + ": a mapping searches one resource type "
                    + "({Type}?{params}), not a path such as Patient/123 or Observation/_search.");
        }
        if (path.contains("?") || path.contains("#") || path.contains("\\")) {
            throw specError("spec hides '?', '#' or '\\' in percent-encoding" + how + ": write the search plainly.");
        }
    }

    /** Checks the query's parameters and returns them as written. */
    private static List<String> checkParameters(String query) {
        List<String> parameters = new ArrayList<>();
        if (query.isEmpty()) {
            return parameters;
        }
        if (query.indexOf('?') >= 0) {
            throw specError("spec contains a second '?': percent-encode a '?' in a value as %3F.");
        }
        for (String pair : query.split("&", -1)) {
            if (pair.isEmpty()) {
                throw specError("spec has an empty parameter: look for '&&' or an '&' at the start or end.");
            }
            int equals = pair.indexOf('=');
            if (equals < 0) {
                throw specError("spec has a parameter without '=': write each parameter as name=value, as in "
                        + EXAMPLE + ".");
            }
            String rawName = pair.substring(0, equals);
            String rawValue = pair.substring(equals + 1);
            if (rawName.isEmpty()) {
                throw specError("spec has a parameter without a name ('=' with nothing before it).");
            }
            String name = percentDecode(rawName, "a parameter name");
            if (!PARAMETER_NAME.matcher(name).matches()) {
                throw specError("parameter name '" + shorten(name) + "' may contain only letters, digits, "
                        + "'_', '.', ':' and '-'.");
            }
            String base = name.split("[:.]", 2)[0].toLowerCase(Locale.ROOT);
            if (PATIENT_PARAMETERS.contains(base)) {
                throw specError("spec names the patient (parameter '" + name + "'): the worker adds the patient "
                        + "to every search itself, so remove it.");
            }
            if (base.equals("_format")) {
                throw specError("spec sets '_format': the worker always asks for FHIR JSON, so remove it.");
            }
            if (rawValue.isEmpty()) {
                throw specError("parameter '" + name + "' has no value: write it as " + name + "=value.");
            }
            String value = percentDecode(rawValue, "the value of parameter '" + name + "'");
            if (value.chars().anyMatch(Character::isISOControl)) {
                throw specError("the value of parameter '" + name + "' holds a control character once "
                        + "percent-decoded.");
            }
            if (value.indexOf('&') >= 0) {
                throw specError("the value of parameter '" + name + "' hides an '&' in percent-encoding, which "
                        + "could smuggle in another parameter: split it into separate name=value pairs.");
            }
            if (rawValue.contains("..") || value.contains("..")) {
                throw specError("the value of parameter '" + name + "' contains '..'.");
            }
            if (SYSTEM_URI_START.matcher(value).replaceAll("").contains("//")) {
                throw specError("the value of parameter '" + name + "' contains '//' outside a system URI "
                        + "(such as http://loinc.org|8480-6).");
            }
            parameters.add(pair);
        }
        return parameters;
    }

    /**
     * Decodes {@code %XX} escapes as UTF-8 ('+' stays '+').
     *
     * @throws InvalidMappingException when an escape is malformed or the bytes are not UTF-8
     */
    static String percentDecode(String text, String what) {
        if (text.indexOf('%') < 0) {
            return text;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '%') {
                int high = i + 1 < text.length() ? Character.digit(text.charAt(i + 1), 16) : -1;
                int low = i + 2 < text.length() ? Character.digit(text.charAt(i + 2), 16) : -1;
                if (high < 0 || low < 0) {
                    throw specError("spec has a malformed percent-encoding in " + what
                            + ": '%' must be followed by two hex digits.");
                }
                bytes.write(high * 16 + low);
                i += 2;
            } else {
                byte[] encoded = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(encoded, 0, encoded.length);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw specError("spec has a percent-encoding in " + what + " that is not UTF-8.");
        }
    }

    private static InvalidMappingException specError(String message) {
        return new InvalidMappingException("spec", message);
    }

    private static String shorten(String text) {
        String printable = text.codePoints().filter(c -> !Character.isISOControl(c))
                .mapToObj(Character::toString).collect(Collectors.joining());
        return printable.length() <= 60 ? printable : printable.substring(0, 60) + "…";
    }
}
