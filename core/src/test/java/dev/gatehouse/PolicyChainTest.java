package dev.gatehouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.host.ChainRun;
import dev.gatehouse.testing.FakeExchange;
import dev.gatehouse.testing.FakeHost;
import dev.gatehouse.testing.FakeResponse;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PolicyChainTest {
    private final List<String> calls = new ArrayList<>();
    private final AtomicInteger executions = new AtomicInteger();

    /** A policy that records its hooks and returns a fixed decision. */
    private OffloadPolicy recording(String name, Decision decision) {
        return new OffloadPolicy() {
            @Override
            public Decision onRequest(Exchange exchange) {
                calls.add(name + ".onRequest");
                return decision;
            }

            @Override
            public void onResponse(Exchange exchange, ResponseHead response) {
                calls.add(name + ".onResponse " + response.status());
                response.headers().add("X-Seen-By", name);
            }

            @Override
            public void onComplete(Exchange exchange, Completion completion) {
                calls.add(name + ".onComplete " + completion.status());
            }

            @Override
            public String name() {
                return name;
            }
        };
    }

    private FakeResponse service(Exchange exchange) {
        executions.incrementAndGet();
        calls.add("service");
        return FakeResponse.ok("hello");
    }

    @Test
    void requestsGoOuterToInnerAndResponsesUnwindInnerToOuter() {
        PolicyChain chain = PolicyChain.of(
                recording("outer", Decision.proceed()),
                recording("middle", Decision.proceed()),
                recording("inner", Decision.proceed()));

        FakeResponse response = FakeHost.serve(chain, FakeExchange.get("/"), this::service);

        assertThat(calls)
                .containsExactly(
                        "outer.onRequest",
                        "middle.onRequest",
                        "inner.onRequest",
                        "service",
                        "inner.onResponse 200",
                        "middle.onResponse 200",
                        "outer.onResponse 200",
                        "inner.onComplete 200",
                        "middle.onComplete 200",
                        "outer.onComplete 200");
        assertThat(response.headers().all("X-Seen-By")).containsExactly("inner", "middle", "outer");
    }

    @Test
    void aRefusalReachesOnlyThePoliciesThatProceededAndNeverTheService() {
        PolicyChain chain = PolicyChain.of(
                recording("outer", Decision.proceed()),
                recording("auth", Decision.reject(401, "A bearer token is required.")),
                recording("inner", Decision.proceed()));

        FakeResponse response = FakeHost.serve(chain, FakeExchange.get("/"), this::service);

        assertThat(response.status()).isEqualTo(401);
        assertThat(response.headers().first("Content-Type")).hasValue("application/problem+json");
        assertThat(response.bodyText()).contains("\"detail\":\"A bearer token is required.\"");
        assertThat(response.headers().all("X-Seen-By")).containsExactly("outer");
        assertThat(calls)
                .containsExactly("outer.onRequest", "auth.onRequest", "outer.onResponse 401", "outer.onComplete 401");
        assertThat(executions).hasValue(0);
    }

    @Test
    void aReplayIsAnsweredWithoutTheService() {
        StoredResponse stored = StoredResponse.of(201, Headers.of("Location", "/orders/7"), "{\"id\":7}".getBytes());
        PolicyChain chain = PolicyChain.of(
                recording("outer", Decision.proceed()), recording("idempotency", Decision.replay(stored)));

        FakeResponse response = FakeHost.serve(chain, FakeExchange.post("/orders"), this::service);

        assertThat(response.status()).isEqualTo(201);
        assertThat(response.headers().first("Location")).hasValue("/orders/7");
        assertThat(response.bodyText()).isEqualTo("{\"id\":7}");
        assertThat(executions).hasValue(0);
    }

    @Test
    void proceedHeadersReplaceClientCopiesInAnyLetterCaseForLaterPolicies() {
        FakeExchange exchange = FakeExchange.get("/")
                .header("x-user-id", "spoofed")
                .header("X-USER-ID", "spoofed again")
                .header("X_User_Id", "underscored");
        List<List<String>> seenByInner = new ArrayList<>();
        PolicyChain chain = PolicyChain.builder()
                .add("auth", e -> Decision.proceed(Headers.of("X-User-Id", "42"), List.of("X_User_Id")))
                .add("inner", e -> {
                    seenByInner.add(e.requestHeaders().all("X-User-Id"));
                    seenByInner.add(e.requestHeaders().all("X_User_Id"));
                    return Decision.proceed();
                })
                .build();

        ChainRun run = ChainRun.start(chain, exchange);

        assertThat(seenByInner).containsExactly(List.of("42"), List.of());
        Set<String> edited = run.editedRequestHeaders();
        assertThat(edited).containsExactly("X_User_Id", "X-User-Id");
        assertThat(List.of("x-user-id", "X_USER_ID", "X-USER-ID")).allMatch(edited::contains);
        assertThat(edited.contains("X-Other")).isFalse();
    }

    @Test
    void onCompleteRunsOnceWhateverTheHostDoes() {
        AtomicInteger completions = new AtomicInteger();
        PolicyChain chain = PolicyChain.of(new OffloadPolicy() {
            @Override
            public Decision onRequest(Exchange exchange) {
                return Decision.proceed();
            }

            @Override
            public void onComplete(Exchange exchange, Completion completion) {
                completions.incrementAndGet();
            }
        });

        ChainRun run = ChainRun.start(chain, FakeExchange.get("/"));
        run.onComplete(200, Optional.empty());
        run.onComplete(500, Optional.of(new IOException("late")));

        assertThat(completions).hasValue(1);
    }

    @Test
    void aFailingServiceStillCompletesWithStatus500AndTheFailure() {
        List<Completion> completions = new ArrayList<>();
        PolicyChain chain = PolicyChain.of(new OffloadPolicy() {
            @Override
            public Decision onRequest(Exchange exchange) {
                return Decision.proceed();
            }

            @Override
            public void onComplete(Exchange exchange, Completion completion) {
                completions.add(completion);
            }
        });

        assertThatThrownBy(() -> FakeHost.serve(chain, FakeExchange.get("/"), exchange -> {
                    throw new IllegalStateException("boom");
                }))
                .hasMessage("boom");

        assertThat(completions).singleElement().satisfies(completion -> {
            assertThat(completion.status()).isEqualTo(500);
            assertThat(completion.failure())
                    .get()
                    .extracting(Throwable::getMessage)
                    .isEqualTo("boom");
        });
    }

    @Test
    void completionTimesTheExchangeWithTheInjectedClock() {
        AtomicLong now = new AtomicLong(1_000);
        List<Completion> completions = new ArrayList<>();
        PolicyChain chain = PolicyChain.builder()
                .nanoClock(now::get)
                .add("timed", new OffloadPolicy() {
                    @Override
                    public Decision onRequest(Exchange exchange) {
                        return Decision.proceed();
                    }

                    @Override
                    public void onComplete(Exchange exchange, Completion completion) {
                        completions.add(completion);
                    }
                })
                .build();

        ChainRun run = ChainRun.start(chain, FakeExchange.get("/"));
        now.addAndGet(2_500_000);
        run.onComplete(200, Optional.empty());

        assertThat(completions.get(0).elapsed().toNanos()).isEqualTo(2_500_000);
    }

    @Test
    void aPolicyThatReturnsNullIsNamedAndTheRequestRefusedWith500() {
        PolicyChain chain = PolicyChain.builder()
                .add(recording("outer", Decision.proceed()))
                .add("sloppy", exchange -> null)
                .build();
        FakeExchange exchange = FakeExchange.get("/");

        FakeResponse response = FakeHost.serve(chain, exchange, this::service);

        assertThat(response.status()).isEqualTo(500);
        assertThat(response.bodyText()).doesNotContain("sloppy");
        assertThat(DecisionLog.of(exchange).entries())
                .singleElement()
                .hasToString("sloppy:reject(policy returned null from onRequest (expected: a Decision))");
        assertThat(executions).hasValue(0);
    }

    @Test
    void aPolicyThatThrowsIsNamedAndTheRequestRefusedWith500() {
        PolicyChain chain = PolicyChain.builder()
                .add("broken", exchange -> {
                    throw new IllegalStateException("internal detail");
                })
                .build();
        FakeExchange exchange = FakeExchange.get("/");

        FakeResponse response = FakeHost.serve(chain, exchange, this::service);

        assertThat(response.status()).isEqualTo(500);
        assertThat(response.bodyText()).doesNotContain("internal detail");
        assertThat(DecisionLog.of(exchange).entries().get(0).policy()).isEqualTo("broken");
        assertThat(executions).hasValue(0);
    }

    @Test
    void aPolicyMayNotSetFramingHeadersUpstream() {
        PolicyChain chain = PolicyChain.builder()
                .add("smuggler", exchange -> Decision.proceed(Headers.of("Transfer-Encoding", "chunked")))
                .build();
        FakeExchange exchange = FakeExchange.get("/");

        FakeResponse response = FakeHost.serve(chain, exchange, this::service);

        assertThat(response.status()).isEqualTo(500);
        assertThat(DecisionLog.of(exchange).entries().get(0).reason())
                .isEqualTo(
                        "policy set Transfer-Encoding on the upstream request (expected: no framing or hop-by-hop header)");
    }

    @Test
    void aPolicyThatThrowsInOnResponseIsSkippedAndTheOthersStillRun() {
        PolicyChain chain = PolicyChain.of(recording("outer", Decision.proceed()), new OffloadPolicy() {
            @Override
            public Decision onRequest(Exchange exchange) {
                return Decision.proceed();
            }

            @Override
            public void onResponse(Exchange exchange, ResponseHead response) {
                throw new IllegalStateException("boom");
            }
        });

        FakeResponse response = FakeHost.serve(chain, FakeExchange.get("/"), this::service);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.headers().all("X-Seen-By")).containsExactly("outer");
    }

    @Test
    void refusesToAddOnePolicyTwice() {
        OffloadPolicy policy = exchange -> Decision.proceed();

        assertThatThrownBy(() -> PolicyChain.builder().add("once", policy).add("twice", policy))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("policy: twice (expected: added once; a chain calls each policy once per exchange)");
    }

    @Test
    void bodyTransformsApplyInnermostFirst() {
        PolicyChain chain = PolicyChain.of(transforming("outer"), transforming("inner"));

        FakeResponse response = FakeHost.serve(chain, FakeExchange.get("/"), this::service);

        assertThat(response.bodyText()).isEqualTo("[outer:[inner:hello]]");
    }

    private static OffloadPolicy transforming(String name) {
        return new OffloadPolicy() {
            @Override
            public Decision onRequest(Exchange exchange) {
                return Decision.proceed();
            }

            @Override
            public void onResponse(Exchange exchange, ResponseHead response) {
                response.transformBody(downstream -> new FilterOutputStream(downstream) {
                    {
                        downstream.write(("[" + name + ":").getBytes());
                    }

                    @Override
                    public void close() throws IOException {
                        out.write(']');
                        super.close();
                    }
                });
            }
        };
    }

    @Test
    void aPolicyThatNeedsTheBodyGetsItBufferedOnceAndBoundedBeforeItRuns() {
        List<String> seen = new ArrayList<>();
        OffloadPolicy fingerprint = new OffloadPolicy() {
            @Override
            public Decision onRequest(Exchange exchange) {
                seen.add(new String(exchange.body().orElseThrow().toByteArray()));
                return Decision.proceed();
            }

            @Override
            public int requestBodyLimit() {
                return 16;
            }
        };
        PolicyChain chain = PolicyChain.of(recording("outer", Decision.proceed()), fingerprint);
        FakeExchange small = FakeExchange.post("/").withBody("{\"amount\":10}");
        FakeExchange large = FakeExchange.post("/").withBody("{\"amount\":10,\"note\":\"too long\"}");

        FakeResponse accepted = FakeHost.serve(chain, small, this::service);
        FakeResponse refused = FakeHost.serve(chain, large, this::service);

        assertThat(accepted.status()).isEqualTo(200);
        assertThat(seen).containsExactly("{\"amount\":10}");
        assertThat(small.bodyReads()).isEqualTo(1);
        assertThat(refused.status()).isEqualTo(413);
        assertThat(refused.headers().all("X-Seen-By")).containsExactly("outer");
        assertThat(chain.requestBodyLimit()).isEqualTo(16);
        assertThat(executions).hasValue(1);
    }

    /** A policy that reads the body of requests with {@code X-Sign} only, at most {@code limit} bytes. */
    private static OffloadPolicy signatureCheck(int limit, List<String> seen) {
        return new OffloadPolicy() {
            @Override
            public Decision onRequest(Exchange exchange) {
                exchange.body().ifPresent(body -> seen.add(new String(body.toByteArray())));
                return Decision.proceed();
            }

            @Override
            public int requestBodyLimit() {
                return limit;
            }

            @Override
            public int requestBodyLimit(Exchange exchange) {
                return exchange.requestHeaders().contains("X-Sign") ? limit : 0;
            }

            @Override
            public String name() {
                return "signature";
            }
        };
    }

    @Test
    void aBodyIsBufferedOnlyForTheExchangesAPolicyReadsItFor() {
        List<String> seen = new ArrayList<>();
        PolicyChain chain = PolicyChain.of(signatureCheck(16, seen));
        FakeExchange unsigned = FakeExchange.post("/").withBody("a body far longer than sixteen bytes");
        FakeExchange signed = FakeExchange.post("/").header("X-Sign", "1").withBody("{\"a\":1}");

        FakeResponse streamed = FakeHost.serve(chain, unsigned, this::service);
        FakeResponse read = FakeHost.serve(chain, signed, this::service);

        assertThat(streamed.status()).isEqualTo(200);
        assertThat(unsigned.bodyReads()).isZero();
        assertThat(read.status()).isEqualTo(200);
        assertThat(seen).containsExactly("{\"a\":1}");
        assertThat(chain.requestBodyLimit()).isEqualTo(16);
    }

    @Test
    void eachPolicyThatReadsTheBodyHasItsOwnLimitAndTheBodyIsReadOnce() {
        List<String> seen = new ArrayList<>();
        PolicyChain chain = PolicyChain.builder()
                .add("generous", signatureCheck(1024, seen))
                .add("strict", signatureCheck(8, seen))
                .build();
        FakeExchange small = FakeExchange.post("/").header("X-Sign", "1").withBody("tiny");
        FakeExchange medium = FakeExchange.post("/").header("X-Sign", "1").withBody("twelve bytes");

        FakeResponse accepted = FakeHost.serve(chain, small, this::service);
        FakeResponse refused = FakeHost.serve(chain, medium, this::service);

        assertThat(accepted.status()).isEqualTo(200);
        assertThat(small.bodyReads()).isEqualTo(1);
        assertThat(refused.status()).isEqualTo(413);
        assertThat(DecisionLog.of(medium).entries())
                .extracting(DecisionLog.Entry::toString)
                .containsExactly("strict:reject(request body over 8 bytes)");
        assertThat(seen).containsExactly("tiny", "tiny", "twelve bytes");
        assertThat(executions).hasValue(1);
    }

    @Test
    void aPolicyThatThrowsWhenAskedForItsBodyLimitIs500AndNeverReachesTheService() {
        PolicyChain chain = PolicyChain.of(new OffloadPolicy() {
            @Override
            public Decision onRequest(Exchange exchange) {
                return Decision.proceed();
            }

            @Override
            public int requestBodyLimit(Exchange exchange) {
                throw new IllegalStateException("broken");
            }
        });

        FakeResponse response = FakeHost.serve(chain, FakeExchange.post("/").withBody("x"), this::service);

        assertThat(response.status()).isEqualTo(500);
        assertThat(executions).hasValue(0);
    }

    @Test
    void theDecisionLogKeepsReasonsButNotPlainProceeds() {
        FakeExchange exchange = FakeExchange.get("/");
        PolicyChain chain = PolicyChain.builder()
                .add("quiet", e -> Decision.proceed())
                .add("jwt", e -> Decision.proceed().because("sub=42"))
                .add("ratelimit", e -> Decision.reject(429, "Slow down.").because("key=user:42 0/100"))
                .build();

        ChainRun.start(chain, exchange);

        assertThat(DecisionLog.of(exchange).entries())
                .extracting(DecisionLog.Entry::toString)
                .containsExactly("jwt:proceed(sub=42)", "ratelimit:reject(key=user:42 0/100)");
    }

    @Test
    void policiesAreNamedAfterTheirClass() {
        assertThat(dev.gatehouse.requestid.RequestIdPolicy.ofDefaults().name()).isEqualTo("request-id");
        assertThat(dev.gatehouse.logging.AccessLogPolicy.ofDefaults().name()).isEqualTo("access-log");
    }

    static OffloadPolicy placed(String name, Placement placement) {
        return new OffloadPolicy() {
            @Override
            public Decision onRequest(Exchange exchange) {
                return Decision.proceed();
            }

            @Override
            public Placement placement() {
                return placement;
            }

            @Override
            public String name() {
                return name;
            }
        };
    }

    @Test
    void movesPoliciesThatAnswerBeforeGuardsAheadOfTheFirstGuardAndKeepsEveryOtherOrder() {
        PolicyChain chain = PolicyChain.of(
                placed("request-id", Placement.AS_ADDED),
                placed("auth", Placement.GUARD),
                placed("log", Placement.AS_ADDED),
                placed("cors", Placement.BEFORE_GUARDS),
                placed("limit", Placement.GUARD),
                placed("ip", Placement.BEFORE_GUARDS));

        assertThat(chain.names()).containsExactly("request-id", "cors", "ip", "auth", "log", "limit");
    }

    @Test
    void leavesAChainWithoutGuardsOrWithEdgePoliciesFirstAsWritten() {
        PolicyChain noGuard = PolicyChain.of(placed("a", Placement.AS_ADDED), placed("cors", Placement.BEFORE_GUARDS));
        PolicyChain ordered = PolicyChain.of(
                placed("cors", Placement.BEFORE_GUARDS),
                placed("a", Placement.AS_ADDED),
                placed("auth", Placement.GUARD));

        assertThat(noGuard.names()).containsExactly("a", "cors");
        assertThat(ordered.names()).containsExactly("cors", "a", "auth");
    }
}
