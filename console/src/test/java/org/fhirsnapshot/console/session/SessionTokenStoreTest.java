package org.fhirsnapshot.console.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.oidc.AuthorizationCodeTokens;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class SessionTokenStoreTest {

    private static final Instant NOW = Instant.parse("2026-01-01T10:00:00Z");

    @Test
    void sessionIdIsARandom256BitValueAndNotAToken() {
        SessionTokenStore store = store(10, NOW);

        String first = store.store(tokens(NOW.plusSeconds(1800)));
        String second = store.store(tokens(NOW.plusSeconds(1800)));

        assertThat(first).matches("[A-Za-z0-9_-]{43}").isNotEqualTo(second);
        assertThat(Base64.getUrlDecoder().decode(first)).hasSize(32);
        assertThat(store.find(first)).isPresent();
    }

    @Test
    void sessionEndsWhenItsRefreshTokenExpires() {
        MutableClock clock = new MutableClock(NOW);
        SessionTokenStore store = new SessionTokenStore(10, Duration.ofMinutes(30), clock);
        String id = store.store(tokens(NOW.plusSeconds(60)));

        clock.now = NOW.plusSeconds(59);
        assertThat(store.find(id)).isPresent();
        clock.now = NOW.plusSeconds(60);
        assertThat(store.find(id)).isEmpty();
    }

    @Test
    void removedSessionIsGone() {
        SessionTokenStore store = store(10, NOW);
        String id = store.store(tokens(NOW.plusSeconds(600)));

        store.remove(id);

        assertThat(store.find(id)).isEmpty();
        assertThat(store.size()).isZero();
    }

    @Test
    void beyondTheLimitTheOldestSessionEnds() {
        SessionTokenStore store = store(2, NOW);
        String oldest = store.store(tokens(NOW.plusSeconds(600)));
        String middle = store.store(tokens(NOW.plusSeconds(600)));
        String newest = store.store(tokens(NOW.plusSeconds(600)));

        assertThat(store.find(oldest)).isEmpty();
        assertThat(store.find(middle)).isPresent();
        assertThat(store.find(newest)).isPresent();
        assertThat(store.size()).isEqualTo(2);
    }

    @Test
    void replacedSessionUsesTheNewTokensForAShortGraceOnly() {
        MutableClock clock = new MutableClock(NOW);
        SessionTokenStore store = new SessionTokenStore(10, Duration.ofMinutes(30), clock);
        String old = store.store(tokens(NOW.plusSeconds(1800)));
        AuthorizationCodeTokens refreshed = tokens(NOW.plusSeconds(3600));

        store.supersede(old, refreshed);

        assertThat(store.find(old)).containsSame(refreshed);
        clock.now = NOW.plus(SessionTokenStore.REFRESH_GRACE);
        assertThat(store.find(old)).isEmpty();
    }

    @Test
    void refreshTokenThatIsNotAJwtKeepsTheSessionForTheFallbackLifetime() {
        MutableClock clock = new MutableClock(NOW);
        SessionTokenStore store = new SessionTokenStore(10, Duration.ofMinutes(30), clock);
        String id = store.store(new AuthorizationCodeTokens("id", "access", "opaque-refresh"));

        clock.now = NOW.plus(Duration.ofMinutes(29));
        assertThat(store.find(id)).isPresent();
        clock.now = NOW.plus(Duration.ofMinutes(30));
        assertThat(store.find(id)).isEmpty();
    }

    private static SessionTokenStore store(int max, Instant now) {
        return new SessionTokenStore(max, Duration.ofMinutes(30), Clock.fixed(now, ZoneOffset.UTC));
    }

    /** Tokens whose refresh token (an unsigned JWT shape: the store reads only its exp) expires at {@code exp}. */
    private static AuthorizationCodeTokens tokens(Instant exp) {
        String payload = Base64.getUrlEncoder().withoutPadding()
                .encodeToString(("{\"exp\":" + exp.getEpochSecond() + "}").getBytes(StandardCharsets.UTF_8));
        return new AuthorizationCodeTokens("id", "access", "eyJhbGciOiJIUzI1NiJ9." + payload + ".c2ln");
    }

    private static final class MutableClock extends Clock {

        Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
