package dev.gatehouse.benchmarks;

import dev.gatehouse.OffloadPolicy;
import dev.gatehouse.auth.AuthPolicy;
import dev.gatehouse.auth.ClientCertificateAuthenticator;

/**
 * {@link ClientCertificateAuthenticator} behind an optional {@link AuthPolicy}, for a client without a certificate:
 * the cost a route that accepts certificates adds to every other request (target: ≤ 100 ns over {@code hostOnly}).
 */
public class ClientCertificateBenchmark extends PolicyBenchmark {
    @Override
    protected OffloadPolicy policy() {
        return AuthPolicy.builder()
                .authenticator(ClientCertificateAuthenticator.ofDefaults())
                .optional()
                .build();
    }
}
