package org.fhirsnapshot.console.proxy;

import io.quarkus.oidc.AccessTokenCredential;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.security.QuarkusHttpUser;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.Json;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.httpproxy.HttpProxy;
import io.vertx.httpproxy.ProxyOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.URI;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.fhirsnapshot.console.ApiRoute;
import org.fhirsnapshot.console.ApiRoutes;
import org.fhirsnapshot.console.Backend;
import org.fhirsnapshot.console.RequestPath;
import org.fhirsnapshot.console.config.ConsoleConfig;
import org.fhirsnapshot.problem.Problem;

/**
 * Forwards the browser's {@code /api/**} calls to the service that owns each address ({@link ApiRoutes}), with the
 * logged-in user's access token as {@code Authorization: Bearer} instead of the browser's cookie. Bodies stream both
 * ways with back-pressure (MRN uploads, archive ZIPs); event streams go through a client of their own without an idle
 * timeout. The proxy adds no API logic: the services decide who may do what, and their answers (401, 403, 404
 * problems included) pass unchanged.
 *
 * <p>
 * Before anything is forwarded:
 * <ul>
 * <li>every request path of the console must be in normal form ({@link RequestPath}), else 400 problem;</li>
 * <li>an address outside the route table is a 404 problem, never forwarded ({@code /internal/...} included);</li>
 * <li>a call other than GET or HEAD needs {@code X-Requested-With: JavaScript} (a cross-site form cannot set it and the
 * console allows no CORS) and, if the browser sent an {@code Origin}, the console's own origin: else 403 problem.</li>
 * </ul>
 * There is no access log: MRNs are part of some addresses.
 */
@ApplicationScoped
public class ApiProxy {

    /** The header (and value) that marks a call made by the console's own scripts. */
    public static final String REQUESTED_WITH = "X-Requested-With";
    public static final String JAVASCRIPT = "JavaScript";

    private static final String PATH_KEY = RequestPath.class.getName();
    /** Before the security handlers: a malformed path is refused whoever sends it. */
    private static final int PATH_CHECK_ORDER = Integer.MIN_VALUE + 10;

    private final HttpClient calls;
    private final HttpClient eventStreams;
    private final Map<Backend, HttpProxy> proxies = new EnumMap<>(Backend.class);
    private final Map<Backend, HttpProxy> streamProxies = new EnumMap<>(Backend.class);
    private final List<String> allowedOrigins;

    public ApiProxy(Vertx vertx, ConsoleConfig config) {
        ConsoleConfig.Proxy options = config.proxy();
        this.calls = vertx.createHttpClient(new HttpClientOptions()
                .setConnectTimeout((int) options.connectTimeout().toMillis())
                .setIdleTimeout((int) options.idleTimeout().toSeconds()).setIdleTimeoutUnit(TimeUnit.SECONDS)
                .setMaxPoolSize(options.maxConnections()).setKeepAlive(true));
        // An event stream is quiet while nothing changes: no idle timeout, a pool sized for open pages.
        this.eventStreams = vertx.createHttpClient(new HttpClientOptions()
                .setConnectTimeout((int) options.connectTimeout().toMillis()).setIdleTimeout(0)
                .setMaxPoolSize(options.maxEventStreams()).setKeepAlive(true));
        Map<Backend, URI> urls = Map.of(Backend.CONFIG, config.services().config(), Backend.MRN,
                config.services().mrn(), Backend.SYNC, config.services().sync(), Backend.ARCHIVE,
                config.services().archive());
        urls.forEach((backend, url) -> {
            proxies.put(backend, proxy(calls, url));
            streamProxies.put(backend, proxy(eventStreams, url));
        });
        this.allowedOrigins = config.allowedOrigins().orElse(List.of()).stream()
                .map(origin -> origin.toLowerCase(Locale.ROOT)).toList();
    }

    private static HttpProxy proxy(HttpClient client, URI url) {
        int port = url.getPort() != -1 ? url.getPort() : "https".equalsIgnoreCase(url.getScheme()) ? 443 : 80;
        return HttpProxy.reverseProxy(new ProxyOptions().setSupportWebSocket(false), client)
                .origin(port, url.getHost()).addInterceptor(new ForwardingRules());
    }

    void routes(@Observes Router router) {
        router.route().order(PATH_CHECK_ORDER).handler(this::checkPath);
        router.route("/api/*").handler(this::forward);
        router.route("/internal/*").handler(rc -> notForwarded(rc));
    }

    void close(@Observes ShutdownEvent event) {
        calls.close();
        eventStreams.close();
    }

    private void checkPath(RoutingContext rc) {
        try {
            rc.put(PATH_KEY, RequestPath.parse(rc.request().path()));
        } catch (RequestPath.Refused refused) {
            problem(rc, Problem.of(400, "Bad Request", refused.getMessage()));
            return;
        }
        rc.next();
    }

    private void forward(RoutingContext rc) {
        RequestPath path = rc.get(PATH_KEY);
        Optional<ApiRoute> route = path == null ? Optional.empty() : ApiRoutes.route(path.segments());
        if (route.isEmpty()) {
            notForwarded(rc);
            return;
        }
        HttpServerRequest request = rc.request();
        if (request.method() != HttpMethod.GET && request.method() != HttpMethod.HEAD) {
            if (!JAVASCRIPT.equals(request.getHeader(REQUESTED_WITH))) {
                problem(rc, Problem.of(403, "Forbidden", "A change through the console needs the header "
                        + "'X-Requested-With: JavaScript', which the console's pages send; other sites cannot."));
                return;
            }
            String origin = request.getHeader(HttpHeaders.ORIGIN);
            if (origin != null && !sameOrigin(origin, request)) {
                problem(rc, Problem.of(403, "Forbidden", "A change through the console must come from the "
                        + "console's own pages (the Origin header names another site)."));
                return;
            }
        }
        String token = accessToken(rc);
        if (token == null) {
            // The HTTP permissions let no anonymous request reach this route; fail closed all the same.
            problem(rc, Problem.of(401, "Unauthorized", "Log in to the console first."));
            return;
        }
        // The session cookie stays here; the service gets the user's token and nothing the browser claimed.
        request.headers().remove(HttpHeaders.COOKIE).remove(HttpHeaders.AUTHORIZATION)
                .set(HttpHeaders.AUTHORIZATION, "Bearer " + token);
        (route.get().eventStream() ? streamProxies : proxies).get(route.get().backend()).handle(request);
    }

    private boolean sameOrigin(String origin, HttpServerRequest request) {
        String claimed = origin.toLowerCase(Locale.ROOT);
        // The Host header, or HTTP/2's :authority.
        HostAndPort authority = request.authority();
        if (authority == null) {
            return allowedOrigins.contains(claimed);
        }
        String own = request.scheme() + "://" + authority.host()
                + (authority.port() > 0 ? ":" + authority.port() : "");
        return claimed.equals(own.toLowerCase(Locale.ROOT)) || allowedOrigins.contains(claimed);
    }

    private static String accessToken(RoutingContext rc) {
        if (!(rc.user() instanceof QuarkusHttpUser user)) {
            return null;
        }
        SecurityIdentity identity = user.getSecurityIdentity();
        if (identity == null || identity.isAnonymous()) {
            return null;
        }
        AccessTokenCredential credential = identity.getCredential(AccessTokenCredential.class);
        return credential == null ? null : credential.getToken();
    }

    private static void notForwarded(RoutingContext rc) {
        problem(rc, Problem.of(404, "Not Found", "The console forwards only the FHIR Snapshot API listed in its "
                + "README (/api/fhir-systems, /api/catalog, /api/projects/...); nothing answers at this address."));
    }

    static void problem(RoutingContext rc, Problem problem) {
        rc.response().setStatusCode(problem.status()).putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store").end(Json.encode(problem));
    }
}
