/** Gatehouse core: framework-neutral offload policies and the chain that runs them. */
module dev.gatehouse.core {
    requires org.slf4j;
    requires static org.jspecify;

    exports dev.gatehouse;
    exports dev.gatehouse.logging;
    exports dev.gatehouse.requestid;
}
