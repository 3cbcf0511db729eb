package dev.gatehouse.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.Exchange;
import dev.gatehouse.Headers;
import dev.gatehouse.PolicyChain;
import dev.gatehouse.Principal;
import dev.gatehouse.compression.CompressionPolicy;
import dev.gatehouse.testing.FakeExchange;
import dev.gatehouse.testing.FakeHost;
import dev.gatehouse.testing.FakeResponse;
import dev.gatehouse.testing.MutableClock;
import dev.gatehouse.testing.Race;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HttpCachePolicyTest {
    private static final Instant START = Instant.parse("2026-12-01T10:00:00Z");

    private final MutableClock clock = new MutableClock(START);
    private final InMemoryHttpCacheStore store = InMemoryHttpCacheStore.of(1024 * 1024);
    private final HttpCachePolicy cache =
            HttpCachePolicy.builder(store).clock(clock).build();
    private final PolicyChain chain = PolicyChain.of(cache);
    private final AtomicInteger calls = new AtomicInteger();

    private FakeResponse serve(FakeExchange exchange, Function<Integer, FakeResponse> service) {
        return FakeHost.serve(
                chain, exchange.header("Host", "example.test"), e -> service.apply(calls.incrementAndGet()));
    }

    private static Function<Integer, FakeResponse> answering(String... headers) {
        return call -> {
            FakeResponse response = FakeResponse.ok("body " + call);
            for (int i = 0; i < headers.length; i += 2) {
                response.header(headers[i], headers[i + 1]);
            }
            return response;
        };
    }

    private static String date(Duration after) {
        return Freshness.httpDate(START.plus(after));
    }

    @Test
    void aFreshResponseIsServedFromTheCacheWithAgeAndCacheStatus() {
        FakeResponse first = serve(FakeExchange.get("/items"), answering("Cache-Control", "max-age=60"));
        clock.advance(Duration.ofSeconds(10));
        FakeResponse second = serve(FakeExchange.get("/items"), answering("Cache-Control", "max-age=60"));

        assertThat(calls).hasValue(1);
        assertThat(first.headers().first("Cache-Status"))
                .hasValue("gatehouse; fwd=uri-miss; fwd-status=200; stored; ttl=60");
        assertThat(second.bodyText()).isEqualTo("body 1");
        assertThat(second.headers().first("Age")).hasValue("10");
        assertThat(second.headers().first("Cache-Status")).hasValue("gatehouse; hit; ttl=50");
    }

    @Test
    void aMaxAgeTooGreatToRepresentIsTheGreatestNotInvalid() {
        // RFC 9111 §1.2.2: a delta-seconds past what the cache can represent counts as 2^31, not as invalid.
        serve(FakeExchange.get("/items"), answering("Cache-Control", "max-age=99999999999999999999"));
        clock.advance(Duration.ofDays(365));
        FakeResponse hit = serve(FakeExchange.get("/items"), answering("Cache-Control", "max-age=60"));

        assertThat(calls).hasValue(1);
        assertThat(hit.headers().first("Cache-Status"))
                .hasValueSatisfying(status -> assertThat(status).startsWith("gatehouse; hit"));
    }

    @Test
    void anAgeTooGreatToRepresentMakesTheResponseStaleAndDigitsOutsideAsciiAreInvalid() {
        serve(FakeExchange.get("/a"), answering("Cache-Control", "max-age=60", "Age", "99999999999999999999"));
        serve(FakeExchange.get("/a"), answering("Cache-Control", "max-age=60"));
        // U+0666 U+0660: Arabic-Indic "60", which Long.parseLong reads, but not DIGIT: invalid, so stale.
        serve(FakeExchange.get("/b"), answering("Cache-Control", "max-age=\u0666\u0660"));
        serve(FakeExchange.get("/b"), answering("Cache-Control", "max-age=60"));

        assertThat(calls).hasValue(4);
    }

    @Test
    void aStaleResponseGoesToTheServiceAndTheNewOneReplacesIt() {
        serve(FakeExchange.get("/items"), answering("Cache-Control", "max-age=60"));
        clock.advance(Duration.ofSeconds(61));
        FakeResponse refetched = serve(FakeExchange.get("/items"), answering("Cache-Control", "max-age=60"));
        FakeResponse hit = serve(FakeExchange.get("/items"), answering("Cache-Control", "max-age=60"));

        assertThat(calls).hasValue(2);
        assertThat(refetched.headers().first("Cache-Status"))
                .hasValueSatisfying(
                        status -> assertThat(status).startsWith("gatehouse; fwd=stale; fwd-status=200; stored"));
        assertThat(hit.bodyText()).isEqualTo("body 2");
    }

    @Test
    void sMaxageWinsOverMaxAge() {
        serve(FakeExchange.get("/a"), answering("Cache-Control", "max-age=600, s-maxage=5"));
        clock.advance(Duration.ofSeconds(6));
        serve(FakeExchange.get("/a"), answering("Cache-Control", "max-age=600, s-maxage=5"));

        assertThat(calls).hasValue(2);
    }

    @Test
    void expiresMinusDateIsTheLifetimeWithoutMaxAge() {
        Function<Integer, FakeResponse> service =
                answering("Date", date(Duration.ZERO), "Expires", date(Duration.ofSeconds(30)));
        serve(FakeExchange.get("/a"), service);
        clock.advance(Duration.ofSeconds(29));
        serve(FakeExchange.get("/a"), service);
        clock.advance(Duration.ofSeconds(2));
        serve(FakeExchange.get("/a"), service);

        assertThat(calls).hasValue(2);
    }

    @Test
    void anInvalidExpiresMeansAlreadyExpired() {
        FakeResponse response = serve(FakeExchange.get("/a"), answering("Expires", "0"));
        serve(FakeExchange.get("/a"), answering("Expires", "0"));

        assertThat(calls).hasValue(2);
        assertThat(response.headers().first("Cache-Status"))
                .hasValue("gatehouse; fwd=uri-miss; fwd-status=200; detail=stale");
    }

    @Test
    void heuristicFreshnessIsATenthOfTheTimeSinceLastModifiedForCacheableStatuses() {
        Function<Integer, FakeResponse> service =
                answering("Date", date(Duration.ZERO), "Last-Modified", date(Duration.ofMinutes(-100)));
        serve(FakeExchange.get("/a"), service);
        clock.advance(Duration.ofMinutes(9));
        serve(FakeExchange.get("/a"), service);
        clock.advance(Duration.ofMinutes(2));
        serve(FakeExchange.get("/a"), service);

        assertThat(calls).hasValue(2);
    }

    @Test
    void noHeuristicFreshnessWithoutLastModifiedOrForOtherStatuses() {
        FakeResponse plain = serve(FakeExchange.get("/plain"), answering());
        Function<Integer, FakeResponse> created =
                call -> FakeResponse.of(201).withBody("made").header("Last-Modified", date(Duration.ofDays(-10)));
        FakeResponse made = serve(FakeExchange.get("/made"), created);
        serve(FakeExchange.get("/plain"), answering());
        serve(FakeExchange.get("/made"), created);

        assertThat(calls).hasValue(4);
        assertThat(plain.headers().first("Cache-Status"))
                .hasValueSatisfying(s -> assertThat(s).endsWith("detail=no-freshness"));
        assertThat(made.headers().first("Cache-Status"))
                .hasValueSatisfying(s -> assertThat(s).endsWith("detail=no-freshness"));
    }

    @Test
    void noStoreOnEitherSideAndPrivateAndSetCookieAreNeverStored() {
        serve(FakeExchange.get("/1"), answering("Cache-Control", "max-age=60, no-store"));
        serve(FakeExchange.get("/1"), answering("Cache-Control", "max-age=60"));
        serve(FakeExchange.get("/2").header("Cache-Control", "no-store"), answering("Cache-Control", "max-age=60"));
        serve(FakeExchange.get("/2"), answering("Cache-Control", "max-age=60"));
        serve(FakeExchange.get("/3"), answering("Cache-Control", "private, max-age=60"));
        FakeResponse cookie =
                serve(FakeExchange.get("/4"), answering("Cache-Control", "max-age=60", "Set-Cookie", "a=b"));
        int before = calls.get();
        serve(FakeExchange.get("/3"), answering("Cache-Control", "max-age=60"));
        serve(FakeExchange.get("/4"), answering("Cache-Control", "max-age=60"));

        assertThat(calls.get() - before).isEqualTo(2);
        assertThat(calls).hasValue(8);
        assertThat(cookie.headers().first("Cache-Status"))
                .hasValueSatisfying(s -> assertThat(s).endsWith("detail=set-cookie"));
    }

    @Test
    void aResponseToAnAuthorizedRequestIsStoredOnlyWhenItSaysItMayBeShared() {
        FakeResponse refused = serve(
                FakeExchange.get("/me").header("Authorization", "Bearer a"), answering("Cache-Control", "max-age=60"));
        serve(FakeExchange.get("/me").header("Authorization", "Bearer b"), answering("Cache-Control", "max-age=60"));
        assertThat(calls).hasValue(2);
        assertThat(refused.headers().first("Cache-Status"))
                .hasValueSatisfying(s -> assertThat(s).endsWith("detail=authorization"));

        for (String shared : new String[] {"public, max-age=60", "s-maxage=60", "max-age=60, must-revalidate"}) {
            String path = "/shared/" + shared.length();
            serve(FakeExchange.get(path).header("Authorization", "Bearer a"), answering("Cache-Control", shared));
            int before = calls.get();
            FakeResponse hit = serve(FakeExchange.get(path).header("Authorization", "Bearer b"), answering());
            assertThat(calls.get()).as(shared).isEqualTo(before);
            assertThat(hit.headers().first("Cache-Status"))
                    .hasValueSatisfying(s -> assertThat(s).contains("hit"));
        }
    }

    @Test
    void aResponseToARequestWithAPrincipalButNoAuthorizationIsPrivateToo() {
        // An API key or a client certificate; or a token a policy removed before the service.
        FakeExchange withKey = FakeExchange.get("/mine");
        withKey.setAttribute(
                Principal.KEY,
                new Principal("billing", Optional.empty(), Set.of(), Optional.empty(), Map.of(), "api-key"));
        FakeResponse refused = serve(withKey, answering("Cache-Control", "max-age=60"));
        FakeExchange other = FakeExchange.get("/mine");
        other.setAttribute(
                Principal.KEY,
                new Principal("mallory", Optional.empty(), Set.of(), Optional.empty(), Map.of(), "api-key"));
        serve(other, answering("Cache-Control", "max-age=60"));

        assertThat(calls).hasValue(2);
        assertThat(refused.headers().first("Cache-Status"))
                .hasValueSatisfying(s -> assertThat(s).endsWith("detail=authorization"));
    }

    @Test
    void onlyGetResponsesWithCacheableStatusesAreStored() {
        Function<Integer, FakeResponse> partial =
                call -> FakeResponse.of(206).withBody("part").header("Cache-Control", "max-age=60");
        serve(FakeExchange.get("/p"), partial);
        serve(FakeExchange.get("/p"), partial);
        serve(FakeExchange.post("/p"), answering("Cache-Control", "max-age=60"));
        serve(FakeExchange.post("/p"), answering("Cache-Control", "max-age=60"));
        Function<Integer, FakeResponse> failing = call -> FakeResponse.of(503).withBody("down");
        serve(FakeExchange.get("/f"), failing);
        serve(FakeExchange.get("/f"), failing);

        assertThat(calls).hasValue(6);
    }

    @Test
    void anExplicitlyFreshErrorIsStored() {
        Function<Integer, FakeResponse> missing =
                call -> FakeResponse.of(404).withBody("none").header("Cache-Control", "max-age=60");
        serve(FakeExchange.get("/nothing"), missing);
        FakeResponse hit = serve(FakeExchange.get("/nothing"), missing);

        assertThat(calls).hasValue(1);
        assertThat(hit.status()).isEqualTo(404);
    }

    @Test
    void anUnsafeRequestThatSucceedsInvalidatesItsUriAndItsLocation() {
        serve(FakeExchange.get("/orders"), answering("Cache-Control", "max-age=60"));
        serve(FakeExchange.get("/orders/7"), answering("Cache-Control", "max-age=60"));
        FakeResponse post = serve(
                FakeExchange.post("/orders"),
                call -> FakeResponse.of(201).withBody("made").header("Location", "/orders/7"));
        serve(FakeExchange.get("/orders"), answering("Cache-Control", "max-age=60"));
        serve(FakeExchange.get("/orders/7"), answering("Cache-Control", "max-age=60"));

        assertThat(calls).hasValue(5);
        assertThat(post.headers().first("Cache-Status")).hasValue("gatehouse; fwd=method; fwd-status=201");
    }

    @Test
    void aFailedUnsafeRequestInvalidatesNothing() {
        serve(FakeExchange.get("/orders"), answering("Cache-Control", "max-age=60"));
        serve(FakeExchange.post("/orders"), call -> FakeResponse.of(400).withBody("bad"));
        serve(FakeExchange.get("/orders"), answering("Cache-Control", "max-age=60"));

        assertThat(calls).hasValue(2);
    }

    @Test
    void varyKeysOnNormalizedRequestFields() {
        Function<Integer, FakeResponse> service = answering("Cache-Control", "max-age=60", "Vary", "Accept-Language");
        serve(FakeExchange.get("/v").header("Accept-Language", "en, fr;q=0.5"), service);
        FakeResponse otherLanguage = serve(FakeExchange.get("/v").header("Accept-Language", "de"), service);
        FakeResponse sameButSpaced = serve(FakeExchange.get("/v").header("Accept-Language", "EN ,fr ; q=0.5"), service);
        FakeResponse splitFields = serve(
                FakeExchange.get("/v").header("Accept-Language", "en").header("Accept-Language", "fr;q=0.5"), service);
        FakeResponse none = serve(FakeExchange.get("/v"), service);

        assertThat(calls).hasValue(3);
        assertThat(otherLanguage.headers().first("Cache-Status"))
                .hasValueSatisfying(s -> assertThat(s).startsWith("gatehouse; fwd=vary-miss"));
        assertThat(sameButSpaced.bodyText()).isEqualTo("body 1");
        assertThat(splitFields.bodyText()).isEqualTo("body 1");
        assertThat(none.bodyText()).isEqualTo("body 3");
    }

    @Test
    void varyStarIsNeverStored() {
        FakeResponse response = serve(FakeExchange.get("/v"), answering("Cache-Control", "max-age=60", "Vary", "*"));
        serve(FakeExchange.get("/v"), answering("Cache-Control", "max-age=60", "Vary", "*"));

        assertThat(calls).hasValue(2);
        assertThat(response.headers().first("Cache-Status"))
                .hasValueSatisfying(s -> assertThat(s).endsWith("detail=vary-star"));
    }

    @Test
    void aConditionalRequestIsAnswered304FromAFreshResponse() {
        serve(FakeExchange.get("/e"), answering("Cache-Control", "max-age=60", "ETag", "\"v1\""));
        FakeResponse byTag = serve(FakeExchange.get("/e").header("If-None-Match", "\"v0\", W/\"v1\""), answering());
        FakeResponse otherTag = serve(FakeExchange.get("/e").header("If-None-Match", "\"v2\""), answering());

        assertThat(calls).hasValue(1);
        assertThat(byTag.status()).isEqualTo(304);
        assertThat(byTag.body()).isEmpty();
        assertThat(byTag.headers().first("ETag")).hasValue("\"v1\"");
        assertThat(byTag.headers().first("Cache-Status"))
                .hasValueSatisfying(s -> assertThat(s).contains("hit"));
        assertThat(otherTag.status()).isEqualTo(200);
        assertThat(otherTag.bodyText()).isEqualTo("body 1");
    }

    @Test
    void aNotModifiedFromTheServiceRefreshesTheStaleResponse() {
        serve(FakeExchange.get("/e"), answering("Cache-Control", "max-age=60", "ETag", "\"v1\"", "X-Version", "one"));
        clock.advance(Duration.ofSeconds(90));
        FakeResponse revalidated = serve(
                FakeExchange.get("/e").header("If-None-Match", "\"v1\""),
                call -> FakeResponse.of(304)
                        .header("ETag", "\"v1\"")
                        .header("Cache-Control", "max-age=120")
                        .header("X-Version", "two"));
        clock.advance(Duration.ofSeconds(100));
        FakeResponse hit = serve(FakeExchange.get("/e"), answering());

        assertThat(calls).hasValue(2);
        assertThat(revalidated.status()).isEqualTo(304);
        assertThat(revalidated.headers().first("Cache-Status"))
                .hasValue("gatehouse; fwd=stale; fwd-status=304; stored");
        assertThat(hit.bodyText()).isEqualTo("body 1");
        assertThat(hit.headers().first("X-Version")).hasValue("two");
        assertThat(hit.headers().first("Cache-Status")).hasValue("gatehouse; hit; ttl=20");
    }

    @Test
    void anUnconditionalRequestForAStaleResponseIsRevalidatedWithItsValidatorsAndAnswered200() {
        String modified = date(Duration.ofHours(-1));
        serve(
                FakeExchange.get("/v"),
                answering("Cache-Control", "max-age=60", "ETag", "\"v1\"", "Last-Modified", modified));
        clock.advance(Duration.ofSeconds(90));
        List<Headers> seen = new ArrayList<>();
        FakeResponse revalidated = FakeHost.serve(chain, FakeExchange.get("/v").header("Host", "example.test"), e -> {
            calls.incrementAndGet();
            seen.add(e.requestHeaders().copy());
            return FakeResponse.of(304)
                    .header("ETag", "\"v1\"")
                    .header("Cache-Control", "max-age=120")
                    .header("X-Version", "two");
        });
        clock.advance(Duration.ofSeconds(10));
        FakeResponse hit = serve(FakeExchange.get("/v"), answering());

        assertThat(seen.get(0).first("If-None-Match")).hasValue("\"v1\"");
        assertThat(seen.get(0).first("If-Modified-Since")).hasValue(modified);
        assertThat(revalidated.status()).isEqualTo(200);
        assertThat(revalidated.bodyText()).isEqualTo("body 1");
        assertThat(revalidated.headers().first("X-Version")).hasValue("two");
        assertThat(revalidated.headers().first("Content-Length")).hasValue("6");
        assertThat(revalidated.headers().first("Age")).hasValue("0");
        assertThat(revalidated.headers().first("Cache-Status"))
                .hasValue("gatehouse; fwd=stale; fwd-status=304; stored");
        assertThat(calls).hasValue(2);
        assertThat(hit.bodyText()).isEqualTo("body 1");
        assertThat(hit.headers().first("Cache-Status")).hasValue("gatehouse; hit; ttl=110");
    }

    @Test
    void aStaleResponseWithoutValidatorsIsFetchedWhole() {
        serve(FakeExchange.get("/plain"), answering("Cache-Control", "max-age=60"));
        clock.advance(Duration.ofSeconds(90));
        List<Headers> seen = new ArrayList<>();
        FakeHost.serve(chain, FakeExchange.get("/plain").header("Host", "example.test"), e -> {
            seen.add(e.requestHeaders().copy());
            return FakeResponse.ok("new");
        });

        assertThat(seen.get(0).contains("If-None-Match")).isFalse();
        assertThat(seen.get(0).contains("If-Modified-Since")).isFalse();
    }

    @Test
    void aClientsOwnPreconditionIsForwardedAloneAndItsNotModifiedPassesThrough() {
        serve(FakeExchange.get("/own"), answering("Cache-Control", "max-age=60", "ETag", "\"v2\""));
        clock.advance(Duration.ofSeconds(90));
        List<Headers> seen = new ArrayList<>();
        FakeResponse answer = FakeHost.serve(
                chain, FakeExchange.get("/own").header("Host", "example.test").header("If-None-Match", "\"v1\""), e -> {
                    seen.add(e.requestHeaders().copy());
                    return FakeResponse.of(304).header("ETag", "\"v1\"");
                });

        assertThat(seen.get(0).all("If-None-Match")).containsExactly("\"v1\"");
        assertThat(answer.status()).isEqualTo(304);
        assertThat(answer.headers().first("Cache-Status"))
                .hasValue("gatehouse; fwd=stale; fwd-status=304; detail=not-refreshed");
    }

    @ParameterizedTest
    @ValueSource(ints = {500, 502, 503, 504})
    void withinStaleIfErrorAServerErrorIsAnsweredWithTheStaleResponse(int error) {
        serve(FakeExchange.get("/sie"), answering("Cache-Control", "max-age=60, stale-if-error=300"));
        clock.advance(Duration.ofSeconds(200));
        FakeResponse answer = serve(
                FakeExchange.get("/sie"),
                call -> FakeResponse.of(error)
                        .header("Content-Type", "application/problem+json")
                        .withBody("{}"));

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.bodyText()).isEqualTo("body 1");
        assertThat(answer.headers().first("Age")).hasValue("200");
        assertThat(answer.headers().first("Content-Type")).hasValue("text/plain; charset=utf-8");
        assertThat(answer.headers().first("Cache-Status"))
                .hasValue("gatehouse; fwd=stale; fwd-status=" + error + "; detail=stale-if-error");
    }

    @Test
    void pastStaleIfErrorOrForOtherStatusesTheErrorPassesThrough() {
        serve(FakeExchange.get("/late"), answering("Cache-Control", "max-age=60, stale-if-error=30"));
        serve(FakeExchange.get("/other"), answering("Cache-Control", "max-age=60, stale-if-error=300"));
        clock.advance(Duration.ofSeconds(100));
        FakeResponse late =
                serve(FakeExchange.get("/late"), call -> FakeResponse.of(503).withBody("down"));
        FakeResponse notAnError =
                serve(FakeExchange.get("/other"), call -> FakeResponse.of(501).withBody("no"));

        assertThat(late.status()).isEqualTo(503);
        assertThat(late.bodyText()).isEqualTo("down");
        assertThat(notAnError.status()).isEqualTo(501);
    }

    @Test
    void mustRevalidateAndNoCacheRequestsAreNeverAnsweredStaleOnErrors() {
        serve(FakeExchange.get("/must"), answering("Cache-Control", "max-age=60, must-revalidate, stale-if-error=300"));
        serve(FakeExchange.get("/asked"), answering("Cache-Control", "max-age=60, stale-if-error=300"));
        clock.advance(Duration.ofSeconds(100));
        FakeResponse must =
                serve(FakeExchange.get("/must"), call -> FakeResponse.of(503).withBody("down"));
        FakeResponse asked = serve(
                FakeExchange.get("/asked").header("Cache-Control", "no-cache"),
                call -> FakeResponse.of(503).withBody("down"));

        assertThat(must.status()).isEqualTo(503);
        assertThat(asked.status()).isEqualTo(503);
    }

    @Test
    void aConditionalClientIsAnswered304FromTheStaleResponseOnAnError() {
        serve(FakeExchange.get("/c"), answering("Cache-Control", "max-age=60, stale-if-error=300", "ETag", "\"c1\""));
        clock.advance(Duration.ofSeconds(100));
        FakeResponse matching =
                serve(FakeExchange.get("/c").header("If-None-Match", "\"c1\""), call -> FakeResponse.of(502));
        FakeResponse unconditional = serve(FakeExchange.get("/c"), call -> FakeResponse.of(502));

        assertThat(matching.status()).isEqualTo(304);
        assertThat(matching.body()).isEmpty();
        assertThat(unconditional.status()).isEqualTo(200);
        assertThat(unconditional.bodyText()).isEqualTo("body 1");
    }

    @Test
    void noCacheResponsesAreStoredButNeverServedWithoutTheService() {
        serve(FakeExchange.get("/n"), answering("Cache-Control", "no-cache, max-age=60", "ETag", "\"n\""));
        FakeResponse second = serve(FakeExchange.get("/n"), answering("Cache-Control", "no-cache", "ETag", "\"n\""));

        assertThat(calls).hasValue(2);
        assertThat(second.headers().first("Cache-Status"))
                .hasValueSatisfying(s -> assertThat(s).startsWith("gatehouse; fwd=stale"));
    }

    @Test
    void aRequestWithNoCacheGoesToTheServiceAndRefreshesTheStore() {
        serve(FakeExchange.get("/r"), answering("Cache-Control", "max-age=60"));
        FakeResponse forced = serve(
                FakeExchange.get("/r").header("Cache-Control", "no-cache"), answering("Cache-Control", "max-age=60"));
        FakeResponse hit = serve(FakeExchange.get("/r"), answering());

        assertThat(calls).hasValue(2);
        assertThat(forced.headers().first("Cache-Status"))
                .hasValueSatisfying(s -> assertThat(s).startsWith("gatehouse; fwd=request; fwd-status=200; stored"));
        assertThat(hit.bodyText()).isEqualTo("body 2");
    }

    @Test
    void aRequestMaxAgeRefusesOlderResponses() {
        serve(FakeExchange.get("/r"), answering("Cache-Control", "max-age=60"));
        clock.advance(Duration.ofSeconds(20));
        serve(FakeExchange.get("/r").header("Cache-Control", "max-age=10"), answering("Cache-Control", "max-age=60"));

        assertThat(calls).hasValue(2);
    }

    @Test
    void ageFromUpstreamCountsAgainstTheLifetime() {
        serve(FakeExchange.get("/aged"), answering("Cache-Control", "max-age=60", "Age", "50"));
        clock.advance(Duration.ofSeconds(5));
        FakeResponse hit = serve(FakeExchange.get("/aged"), answering());
        clock.advance(Duration.ofSeconds(6));
        serve(FakeExchange.get("/aged"), answering());

        assertThat(hit.headers().first("Age")).hasValue("55");
        assertThat(calls).hasValue(2);
    }

    @Test
    void headIsServedFromTheStoredGetButNeverStored() {
        serve(FakeExchange.of("HEAD", "/h"), answering("Cache-Control", "max-age=60"));
        serve(FakeExchange.get("/h"), answering("Cache-Control", "max-age=60"));
        FakeResponse head = serve(FakeExchange.of("HEAD", "/h"), answering());

        assertThat(calls).hasValue(2);
        assertThat(head.headers().first("Cache-Status"))
                .hasValueSatisfying(s -> assertThat(s).contains("hit"));
    }

    @Test
    void rangeRequestsBypassTheCache() {
        serve(FakeExchange.get("/big"), answering("Cache-Control", "max-age=60"));
        FakeResponse ranged = serve(FakeExchange.get("/big").header("Range", "bytes=0-1"), answering());

        assertThat(calls).hasValue(2);
        assertThat(ranged.headers().first("Cache-Status")).hasValue("gatehouse; fwd=bypass; fwd-status=200");
    }

    @Test
    void bodiesOverTheLimitAreNotStored() {
        HttpCachePolicy small =
                HttpCachePolicy.builder(store).clock(clock).maxBodyBytes(4).build();
        PolicyChain smallChain = PolicyChain.of(small);
        FakeHost.serve(
                smallChain,
                FakeExchange.get("/long"),
                e -> answering("Cache-Control", "max-age=60").apply(calls.incrementAndGet()));
        FakeHost.serve(
                smallChain,
                FakeExchange.get("/long"),
                e -> answering("Cache-Control", "max-age=60").apply(calls.incrementAndGet()));

        assertThat(calls).hasValue(2);
    }

    @Test
    void bodiesAreStoredUncompressedAndEncodedForEachClient() throws IOException {
        PolicyChain compressed =
                PolicyChain.of(CompressionPolicy.builder().minSize(0).build(), cache);
        String text = "cached text ".repeat(100);
        Function<FakeExchange, FakeResponse> call =
                exchange -> FakeHost.serve(compressed, exchange.header("Host", "example.test"), e -> {
                    calls.incrementAndGet();
                    return FakeResponse.ok(text)
                            .header("Cache-Control", "max-age=60")
                            .header("Content-Type", "text/plain");
                });
        FakeResponse gzip = call.apply(FakeExchange.get("/z").header("Accept-Encoding", "gzip"));
        FakeResponse identity = call.apply(FakeExchange.get("/z"));
        FakeResponse gzipHit = call.apply(FakeExchange.get("/z").header("Accept-Encoding", "gzip"));

        assertThat(calls).hasValue(1);
        assertThat(gzip.headers().first("Content-Encoding")).hasValue("gzip");
        assertThat(identity.headers().first("Content-Encoding")).isEmpty();
        assertThat(identity.bodyText()).isEqualTo(text);
        assertThat(gzipHit.headers().first("Content-Encoding")).hasValue("gzip");
        assertThat(gunzip(gzipHit.body())).isEqualTo(text);
        assertThat(store.variants("http://example.test/z").get(0).response().body())
                .isEqualTo(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void purgeRemovesOneUriOrEveryUriUnderAPrefix() {
        for (String path : new String[] {"/p/1", "/p/2", "/q/1"}) {
            serve(FakeExchange.get(path), answering("Cache-Control", "max-age=60"));
        }
        assertThat(cache.purge("http://example.test/q/1")).isTrue();
        assertThat(cache.purgeByPrefix("http://example.test/p/")).isEqualTo(2);
        for (String path : new String[] {"/p/1", "/p/2", "/q/1"}) {
            serve(FakeExchange.get(path), answering("Cache-Control", "max-age=60"));
        }

        assertThat(calls).hasValue(6);
    }

    @Test
    void concurrentMissesForOneUriMakeOneRequestToTheService() throws Exception {
        List<FakeResponse> responses = Race.of(
                20,
                i -> () -> serve(FakeExchange.get("/hot"), call -> {
                    sleep(300);
                    return answering("Cache-Control", "max-age=60").apply(call);
                }));

        assertThat(calls).hasValue(1);
        assertThat(responses)
                .allSatisfy(response -> assertThat(response.bodyText()).isEqualTo("body 1"));
        assertThat(responses)
                .filteredOn(response ->
                        response.headers().first("Cache-Status").orElseThrow().contains("collapsed"))
                .isNotEmpty();
    }

    @Test
    void aMissWhoseLeaderStoredAndLetGoJustBeforeItLeadsIsServedTheStoredResponse() {
        // The interleaving a race hits now and then, made certain: the second request looks the URI up (a miss),
        // and before it can lead, the first request leads, is answered, stores and lets go.
        AtomicBoolean armed = new AtomicBoolean();
        PolicyChain[] racing = new PolicyChain[1];
        HttpCacheStore interleaving = new HttpCacheStore() {
            @Override
            public List<CachedResponse> variants(String key) {
                List<CachedResponse> before = store.variants(key);
                if (armed.getAndSet(false)) {
                    FakeHost.serve(
                            racing[0],
                            FakeExchange.get("/race").header("Host", "example.test"),
                            e -> answering("Cache-Control", "max-age=60").apply(calls.incrementAndGet()));
                }
                return before;
            }

            @Override
            public void put(String key, CachedResponse response) {
                store.put(key, response);
            }

            @Override
            public boolean remove(String key) {
                return store.remove(key);
            }

            @Override
            public int removeByPrefix(String prefix) {
                return store.removeByPrefix(prefix);
            }
        };
        racing[0] = PolicyChain.of(
                HttpCachePolicy.builder(interleaving).clock(clock).build());
        armed.set(true);

        FakeResponse late = FakeHost.serve(
                racing[0],
                FakeExchange.get("/race").header("Host", "example.test"),
                e -> answering("Cache-Control", "max-age=60").apply(calls.incrementAndGet()));

        assertThat(calls).hasValue(1);
        assertThat(late.bodyText()).isEqualTo("body 1");
        assertThat(late.headers().first("Cache-Status"))
                .hasValueSatisfying(status -> assertThat(status).contains("hit").contains("collapsed"));
    }

    @Test
    void withinStaleWhileRevalidateOneRequestRefreshesWhileOthersGetTheStaleResponse() throws Exception {
        Function<Integer, FakeResponse> service = answering("Cache-Control", "max-age=1, stale-while-revalidate=60");
        serve(FakeExchange.get("/swr"), service);
        clock.advance(Duration.ofSeconds(10));
        CountDownLatch refreshing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try {
            Future<FakeResponse> refresh = thread.submit(() -> serve(FakeExchange.get("/swr"), call -> {
                refreshing.countDown();
                await(release);
                return service.apply(call);
            }));
            assertThat(refreshing.await(10, TimeUnit.SECONDS)).isTrue();
            FakeResponse stale = serve(FakeExchange.get("/swr"), service);
            release.countDown();
            FakeResponse refreshed = refresh.get(10, TimeUnit.SECONDS);
            FakeResponse fresh = serve(FakeExchange.get("/swr"), service);

            assertThat(stale.bodyText()).isEqualTo("body 1");
            assertThat(stale.headers().first("Cache-Status")).hasValue("gatehouse; hit; ttl=-9");
            assertThat(refreshed.headers().first("Cache-Status"))
                    .hasValueSatisfying(s -> assertThat(s).startsWith("gatehouse; fwd=stale; fwd-status=200; stored"));
            assertThat(fresh.bodyText()).isEqualTo("body 2");
            assertThat(calls).hasValue(2);
        } finally {
            release.countDown();
            thread.shutdownNow();
        }
    }

    @Test
    void withABackgroundRefreshEveryRequestInTheWindowGetsTheStaleResponseAndOneRefreshRunsThroughTheChain()
            throws Exception {
        List<URI> targets = new ArrayList<>();
        List<Headers> sent = new ArrayList<>();
        List<Headers> received = new ArrayList<>();
        CompletableFuture<Void> refreshing = new CompletableFuture<>();
        PolicyChain refreshed = PolicyChain.of(HttpCachePolicy.builder(store)
                .clock(clock)
                .backgroundRefresh((target, headers) -> {
                    targets.add(target);
                    sent.add(headers);
                    return refreshing;
                })
                .build());
        Function<Exchange, FakeResponse> service = e -> {
            received.add(e.requestHeaders().copy());
            return calls.incrementAndGet() == 1
                    ? FakeResponse.ok("body 1")
                            .header("Cache-Control", "max-age=1, stale-while-revalidate=60")
                            .header("ETag", "\"r1\"")
                    : FakeResponse.of(304).header("ETag", "\"r1\"").header("Cache-Control", "max-age=100");
        };
        FakeHost.serve(refreshed, FakeExchange.get("/bg a b").withQuery("q=1").header("Host", "example.test"), service);
        clock.advance(Duration.ofSeconds(10));
        FakeResponse first = FakeHost.serve(
                refreshed, FakeExchange.get("/bg a b").withQuery("q=1").header("Host", "example.test"), service);
        FakeResponse second = FakeHost.serve(
                refreshed,
                FakeExchange.get("/bg a b")
                        .withQuery("q=1")
                        .header("Host", "example.test")
                        .header("If-None-Match", "\"x\""),
                service);

        assertThat(first.bodyText()).isEqualTo("body 1");
        assertThat(first.headers().first("Cache-Status")).hasValue("gatehouse; hit; ttl=-9");
        assertThat(second.status()).isEqualTo(200);
        assertThat(targets).containsExactly(URI.create("http://example.test/bg%20a%20b?q=1"));
        assertThat(sent.get(0).first("Cache-Control")).hasValue("no-cache");
        assertThat(sent.get(0).contains("If-None-Match")).isFalse();
        assertThat(calls)
                .as("the service is not called by the clients' requests")
                .hasValue(1);

        // The host sends the refresh through the chain: it validates with the stored ETag and refreshes the store.
        FakeExchange refresh = FakeExchange.get("/bg a b").withQuery("q=1");
        sent.get(0).forEach(refresh::header);
        FakeResponse validated = FakeHost.serve(refreshed, refresh, service);
        refreshing.complete(null);
        FakeResponse fresh = FakeHost.serve(
                refreshed, FakeExchange.get("/bg a b").withQuery("q=1").header("Host", "example.test"), service);

        assertThat(received.get(1).first("If-None-Match")).hasValue("\"r1\"");
        assertThat(validated.headers().first("Cache-Status"))
                .hasValue("gatehouse; fwd=request; fwd-status=304; stored");
        assertThat(fresh.headers().first("Cache-Status")).hasValue("gatehouse; hit; ttl=100");
        assertThat(calls).hasValue(2);
    }

    @Test
    void aBackgroundRefreshThatNeverEndsIsAbandonedAfterTheCollapseTimeout() throws Exception {
        AtomicInteger refreshes = new AtomicInteger();
        PolicyChain refreshed = PolicyChain.of(HttpCachePolicy.builder(store)
                .clock(clock)
                .collapseTimeout(Duration.ofMillis(200))
                .backgroundRefresh((target, headers) -> {
                    refreshes.incrementAndGet();
                    return new CompletableFuture<>();
                })
                .build());
        Function<Exchange, FakeResponse> service =
                e -> FakeResponse.ok("body").header("Cache-Control", "max-age=1, stale-while-revalidate=60");
        FakeHost.serve(refreshed, FakeExchange.get("/hung").header("Host", "example.test"), service);
        clock.advance(Duration.ofSeconds(10));
        FakeHost.serve(refreshed, FakeExchange.get("/hung").header("Host", "example.test"), service);
        FakeHost.serve(refreshed, FakeExchange.get("/hung").header("Host", "example.test"), service);
        assertThat(refreshes).hasValue(1);
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (refreshes.get() < 2 && System.nanoTime() < deadline) {
            sleep(20); // the abandoned lead is released on the timeout's own thread
            FakeHost.serve(refreshed, FakeExchange.get("/hung").header("Host", "example.test"), service);
        }

        assertThat(refreshes).hasValue(2);
    }

    @Test
    void mustRevalidateIsNeverServedStaleEvenWithinStaleWhileRevalidate() throws Exception {
        Function<Integer, FakeResponse> service =
                answering("Cache-Control", "max-age=1, stale-while-revalidate=60, must-revalidate");
        serve(FakeExchange.get("/mr"), service);
        clock.advance(Duration.ofSeconds(10));
        CountDownLatch refreshing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            Future<FakeResponse> refresh = threads.submit(() -> serve(FakeExchange.get("/mr"), call -> {
                refreshing.countDown();
                await(release);
                return service.apply(call);
            }));
            assertThat(refreshing.await(10, TimeUnit.SECONDS)).isTrue();
            Future<FakeResponse> waiting = threads.submit(() -> serve(FakeExchange.get("/mr"), service));
            sleep(200);
            assertThat(waiting).isNotDone();
            release.countDown();

            assertThat(refresh.get(10, TimeUnit.SECONDS).bodyText()).isEqualTo("body 2");
            assertThat(waiting.get(10, TimeUnit.SECONDS).bodyText()).isEqualTo("body 2");
            assertThat(calls).hasValue(2);
        } finally {
            release.countDown();
            threads.shutdownNow();
        }
    }

    @Test
    void theStoreStaysWithinItsBytes() {
        InMemoryHttpCacheStore small = InMemoryHttpCacheStore.of(16 * 1024);
        HttpCachePolicy bounded = HttpCachePolicy.builder(small).clock(clock).build();
        byte[] kib = new byte[1024];
        for (int i = 0; i < 100; i++) {
            FakeHost.serve(
                    PolicyChain.of(bounded),
                    FakeExchange.get("/kib/" + i),
                    e -> FakeResponse.of(200).withBody(kib).header("Cache-Control", "max-age=60"));
        }
        int stored = 0;
        long bytes = 0;
        for (int i = 0; i < 100; i++) {
            for (CachedResponse variant : small.variants("http:///kib/" + i)) {
                stored++;
                bytes += variant.weight();
            }
        }

        assertThat(bytes).isLessThanOrEqualTo(16 * 1024);
        assertThat(stored).isBetween(5, 15);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String gunzip(byte[] body) throws IOException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
