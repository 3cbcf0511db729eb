package dev.gatehouse.ratelimit;

/**
 * The outcome of one attempt to take tokens from a bucket.
 *
 * @param consumed whether the tokens were taken (all of them; never a part)
 * @param remaining the tokens left in each window, in the order of the limits
 * @param nanosToWait when not consumed, how long until the requested tokens would be there
 */
public record Consumption(boolean consumed, long[] remaining, long nanosToWait) {}
