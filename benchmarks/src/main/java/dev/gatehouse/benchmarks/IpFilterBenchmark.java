package dev.gatehouse.benchmarks;

import dev.gatehouse.OffloadPolicy;
import dev.gatehouse.ipfilter.IpFilterPolicy;
import org.openjdk.jmh.annotations.Param;

/**
 * {@link IpFilterPolicy} per exchange for a client it lets through (target: ≤ 100 ns over {@code hostOnly}): four
 * denied and two allowed networks, an IPv4 or an IPv6 peer.
 */
public class IpFilterBenchmark extends PolicyBenchmark {
    @Param({"192.0.2.7", "2001:db8::7"})
    public String client;

    @Override
    protected OffloadPolicy policy() {
        return IpFilterPolicy.builder()
                .allow("192.0.2.0/24", "2001:db8::/32")
                .deny("192.0.2.128/25", "10.0.0.0/8", "2001:db8:bad::/48", "172.16.0.0/12")
                .build();
    }

    @Override
    protected String peer() {
        return client;
    }
}
