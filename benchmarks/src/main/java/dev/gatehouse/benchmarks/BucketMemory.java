package dev.gatehouse.benchmarks;

import dev.gatehouse.ratelimit.Limit;
import dev.gatehouse.ratelimit.LocalBucketStore;
import java.util.List;

/**
 * Heap bytes per key of the local bucket store with 10⁶ keys (target ≤ 200 B), measured as the retained heap
 * difference after full collections. Run: {@code java -cp benchmarks/target/benchmarks.jar
 * dev.gatehouse.benchmarks.BucketMemory}.
 */
public final class BucketMemory {
    private BucketMemory() {}

    public static void main(String[] args) throws InterruptedException {
        int keys = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        List<Limit> limits = List.of(Limit.perMinute(100));
        String[] names = new String[keys];
        for (int i = 0; i < keys; i++) {
            names[i] = "ip:10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255) + "#" + (i >> 24);
        }
        LocalBucketStore.Synchronization strategy =
                LocalBucketStore.Synchronization.valueOf(args.length > 1 ? args[1] : "SYNCHRONIZED");
        long before = usedAfterGc();
        LocalBucketStore store = LocalBucketStore.builder()
                .maxKeys(keys)
                .synchronization(strategy)
                .build();
        for (String name : names) {
            store.tryConsume(name, limits, 1);
        }
        long after = usedAfterGc();
        System.out.printf(
                "[ratelimit] %s, %d keys: %d bytes of heap per key (bucket + cache entry; key strings excluded), store size %d%n",
                strategy, keys, (after - before) / keys, store.size());
    }

    private static long usedAfterGc() throws InterruptedException {
        Runtime runtime = Runtime.getRuntime();
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return runtime.totalMemory() - runtime.freeMemory();
    }
}
