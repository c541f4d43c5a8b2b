/**
 * k3s CIS hardening: typed configuration in, hardened nodes and cluster-side evidence out.
 * Configuration is validated before any resource is registered; a bad value stops the preview.
 */
import * as pulumi from "@pulumi/pulumi";
import { rawConfigFromEngine } from "./components/config/load";
import { validateStackConfig } from "./components/config/validate";
import { validateCapabilities } from "./components/config/capabilities";
import { checkPredictedCompliance } from "./components/k3s/compliance";
import { createHardenedCluster, stackOutputs } from "./components/cluster";
import { createClusterSide } from "./components/clusterSide";
import { probeAllNodes, restoreReachabilityHook } from "./components/node/probe";

const raw = rawConfigFromEngine(pulumi.getProject());
const config = validateStackConfig(raw);
const capabilities = validateCapabilities(raw, config);
const compliance = checkPredictedCompliance(config);
for (const w of [...config.warnings, ...capabilities.warnings]) pulumi.log.warn(w);
for (const role of ["server", "agent"] as const) {
  for (const f of compliance.failures[role]) {
    pulumi.log.warn(`predicted kube-bench FAIL on ${role} nodes: ${f.id} ${f.title} (${f.detail})`);
  }
}

// The program reads every node (drift) and checks a node answers before restoring it; the hook is
// registered on every run so that it also serves nodes that were removed from the configuration.
const cluster = createHardenedCluster(config, { probeAll: (c) => probeAllNodes(c), restoreHook: restoreReachabilityHook() });
// Async: reads the namespaces that exist now (when the cluster is reachable), then registers the
// kube-bench scans, the evidence bucket, audit log shipping and the ServiceAccount lockdown.
const clusterSide = createClusterSide(config, capabilities, { nodes: cluster.nodes, parent: cluster, controlPlane: cluster.controlPlane() });

const outputs = stackOutputs(cluster, config, {
  server: compliance.failures.server.map((f) => f.id),
  agent: compliance.failures.agent.map((f) => f.id),
});
export const clusterName = outputs.cluster;
export const benchmark = outputs.benchmark;
export const nodes = outputs.nodes;
export const predictedKubeBenchFailures = outputs.predictedKubeBenchFailures;
export const kubeBenchScans = clusterSide.then((s) => ({ nodes: s.outputs.scannedNodes, schedule: s.outputs.scanSchedule }));
export const evidenceBucket = clusterSide.then((s) => s.outputs.evidenceBucket);
export const evidenceReports = clusterSide.then((s) => s.outputs.reportLocation);
export const auditLogShipping = clusterSide.then((s) => s.outputs.auditLog);
export const lockedDefaultServiceAccounts = clusterSide.then((s) => s.outputs.lockedDefaultServiceAccounts);
