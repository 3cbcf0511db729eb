/** Gatehouse core: framework-neutral offload policies and the chain that runs them. */
module dev.gatehouse.core {
    requires org.slf4j;
    requires com.auth0.jwt;
    requires com.github.benmanes.caffeine;
    requires com.fasterxml.jackson.databind;
    requires java.net.http;
    requires java.sql;
    requires java.naming;
    requires io.github.bucket4j.core;
    requires static io.github.bucket4j.lettuce;
    requires static io.github.bucket4j.redis.common;
    requires static lettuce.core;
    requires static micrometer.core;
    requires static io.opentelemetry.api;
    requires static org.jspecify;
    requires static com.github.luben.zstd_jni;
    requires static com.aayushatharva.brotli4j;

    exports dev.gatehouse;
    exports dev.gatehouse.auth;
    exports dev.gatehouse.bucket4j;
    exports dev.gatehouse.cache;
    exports dev.gatehouse.compression;
    exports dev.gatehouse.cors;
    exports dev.gatehouse.headers;
    exports dev.gatehouse.host;
    exports dev.gatehouse.idempotency;
    exports dev.gatehouse.ipfilter;
    exports dev.gatehouse.jdbc;
    exports dev.gatehouse.logging;
    exports dev.gatehouse.metrics;
    exports dev.gatehouse.ratelimit;
    exports dev.gatehouse.redis;
    exports dev.gatehouse.requestid;
    exports dev.gatehouse.webhook;
}
