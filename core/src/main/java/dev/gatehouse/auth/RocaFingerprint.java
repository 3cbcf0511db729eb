package dev.gatehouse.auth;

import java.math.BigInteger;
import java.util.BitSet;

/**
 * The ROCA fingerprint (CVE-2017-15361; Nemec et al., "The Return of Coppersmith's Attack", CCS 2017). Infineon's
 * RSALib made primes {@code k·M + (65537^a mod M)} with {@code M} a primorial, so for every small prime {@code r}
 * dividing {@code M} the modulus mod {@code r} lies in the subgroup that 65537 generates mod {@code r}. Such
 * moduli can be factored. As the authors' detector does, the test checks the residues for the primes 3 to 167,
 * which divide {@code M} for every key size; the subgroups are computed here rather than copied as masks. A
 * random modulus passes all 38 checks with negligible probability.
 */
final class RocaFingerprint {
    private static final int GENERATOR = 65537;
    private static final int[] PRIMES = {
        3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97, 101, 103, 107, 109,
        113, 127, 131, 137, 139, 149, 151, 157, 163, 167
    };
    private static final BitSet[] SUBGROUPS = new BitSet[PRIMES.length];

    static {
        for (int i = 0; i < PRIMES.length; i++) {
            int prime = PRIMES[i];
            BitSet subgroup = new BitSet(prime);
            int element = 1;
            do {
                subgroup.set(element);
                element = (int) ((long) element * GENERATOR % prime);
            } while (element != 1);
            SUBGROUPS[i] = subgroup;
        }
    }

    private RocaFingerprint() {}

    /** Whether {@code modulus} has the fingerprint of a key made by the vulnerable library. */
    static boolean matches(BigInteger modulus) {
        for (int i = 0; i < PRIMES.length; i++) {
            int residue = modulus.mod(BigInteger.valueOf(PRIMES[i])).intValueExact();
            if (!SUBGROUPS[i].get(residue)) {
                return false;
            }
        }
        return true;
    }
}
