package org.fhirsnapshot.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.HttpCookie;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A browser without a screen: Java's HttpClient with a cookie jar, following redirects by hand so that the tests see
 * each one. It logs in through Keycloak's real login form, as a person would.
 */
final class Browser {

    private static final Pattern FORM_ACTION = Pattern
            .compile("<form[^>]*id=\"kc-form-login\"[^>]*action=\"([^\"]+)\"");

    private final CookieManager cookies = new LoopbackCookies();
    private final HttpClient http = HttpClient.newBuilder().cookieHandler(cookies)
            .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5))
            // As browsers do over plain http (no h2c upgrade).
            .version(HttpClient.Version.HTTP_1_1).build();
    /** Every Set-Cookie header the console (not Keycloak) sent. */
    private final List<String> consoleSetCookies = new ArrayList<>();

    /** Logs in through the console's redirect to Keycloak's login form; ends on the console's start page. */
    static Browser loggedInAs(String username) {
        Browser browser = new Browser();
        browser.login(username, username.equals("admin") ? "admin" : username);
        return browser;
    }

    void login(String username, String password) {
        HttpResponse<String> toProvider = get("/");
        assertThat(toProvider.statusCode()).as("the console sends an anonymous visitor to the provider").isEqualTo(302);
        String loginPage = location(toProvider);
        HttpResponse<String> form = send(HttpRequest.newBuilder(URI.create(loginPage)).GET().build());
        assertThat(form.statusCode()).as("Keycloak's login form").isEqualTo(200);
        Matcher action = FORM_ACTION.matcher(form.body());
        assertThat(action.find()).as("Keycloak's login form has its form").isTrue();
        String body = form(Map.of("username", username, "password", password, "credentialId", ""));
        HttpResponse<String> back = send(HttpRequest.newBuilder(URI.create(action.group(1).replace("&amp;", "&")))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
        assertThat(back.statusCode()).as("Keycloak accepts the password and sends the user back: %s %s",
                back.statusCode(), back.body().replaceAll("\\s+", " ").replaceAll(".*<body", "<body"))
                .isEqualTo(302);
        String callback = location(back);
        assertThat(callback).startsWith(ConsoleKeycloak.consoleUrl()).contains("code=");
        HttpResponse<String> completed = send(HttpRequest.newBuilder(URI.create(callback)).GET().build());
        assertThat(completed.statusCode()).as("the console completes the code flow and restores the page")
                .isEqualTo(302);
        assertThat(location(completed)).isEqualTo(ConsoleKeycloak.consoleUrl() + "/");
    }

    HttpResponse<String> get(String path, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(ConsoleKeycloak.consoleUrl() + path)).GET();
        if (headers.length > 0) {
            request.headers(headers);
        }
        return send(request.build());
    }

    /** A call as the console's scripts make it ({@code X-Requested-With: JavaScript}, same origin). */
    HttpResponse<String> script(String method, String path, String contentType, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(ConsoleKeycloak.consoleUrl() + path))
                .header("X-Requested-With", "JavaScript").header("Origin", ConsoleKeycloak.consoleUrl())
                .method(method, body == null
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        return send(request.build());
    }

    HttpResponse<String> send(HttpRequest request) {
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            record(request, response);
            return response;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A streamed answer; fails (rather than hangs) when its head does not come within 20 s. */
    HttpResponse<InputStream> stream(HttpRequest request) {
        try {
            HttpResponse<InputStream> response = http.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream())
                    .get(20, TimeUnit.SECONDS);
            record(request, response);
            return response;
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("no answer's head within 20 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void record(HttpRequest request, HttpResponse<?> response) {
        if (request.uri().toString().startsWith(ConsoleKeycloak.consoleUrl())) {
            consoleSetCookies.addAll(response.headers().allValues("Set-Cookie"));
        }
    }

    /** Every Set-Cookie header the console sent this browser so far. */
    List<String> consoleSetCookies() {
        return List.copyOf(consoleSetCookies);
    }

    /** The console's session cookie now held (q_session), or null. */
    String sessionCookie() {
        return cookies.getCookieStore().getCookies().stream().filter(c -> c.getName().equals("q_session"))
                .map(HttpCookie::getValue).findFirst().orElse(null);
    }

    /**
     * A cookie jar that, as browsers do, counts loopback addresses as secure: Keycloak marks its login cookies
     * {@code Secure}, and Java's jar would otherwise never send them back over http://127.0.0.1.
     */
    private static final class LoopbackCookies extends CookieManager {

        LoopbackCookies() {
            super(null, CookiePolicy.ACCEPT_ALL);
        }

        @Override
        public Map<String, List<String>> get(URI uri, Map<String, List<String>> requestHeaders) throws IOException {
            if ("http".equals(uri.getScheme()) && "127.0.0.1".equals(uri.getHost())) {
                try {
                    uri = new URI("https", uri.getUserInfo(), uri.getHost(), uri.getPort(), uri.getPath(),
                            uri.getQuery(), uri.getFragment());
                } catch (URISyntaxException e) {
                    throw new IOException(e);
                }
            }
            return super.get(uri, requestHeaders);
        }
    }

    static String location(HttpResponse<?> response) {
        return response.headers().firstValue("Location").orElseThrow(() -> new AssertionError(
                "no Location in a " + response.statusCode() + " answer"));
    }

    private static String form(Map<String, String> fields) {
        return fields.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
    }
}
