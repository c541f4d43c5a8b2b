/**
 * Pulumi type tokens of the project's components. Kept free of imports so the policy pack can read them
 * without loading @pulumi/pulumi or @pulumi/command.
 */

/** Root component; stack policies read the expected node list from its outputs. */
export const CLUSTER_HARDENING_TYPE = "k3s-cis:index:ClusterHardening";

/** One per node; stack policies find hardened nodes and their rendered config by it. */
export const NODE_HARDENING_TYPE = "k3s-cis:node:NodeHardening";
