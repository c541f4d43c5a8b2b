/**
 * k3s CIS hardening: typed configuration in, hardened nodes out.
 * Configuration is validated before any resource is registered; a bad value stops the preview.
 */
import * as pulumi from "@pulumi/pulumi";
import { rawConfigFromEngine } from "./components/config/load";
import { validateStackConfig } from "./components/config/validate";
import { checkPredictedCompliance } from "./components/k3s/compliance";
import { createHardenedCluster, stackOutputs } from "./components/cluster";

const config = validateStackConfig(rawConfigFromEngine(pulumi.getProject()));
const compliance = checkPredictedCompliance(config);
for (const w of config.warnings) pulumi.log.warn(w);
for (const role of ["server", "agent"] as const) {
  for (const f of compliance.failures[role]) {
    pulumi.log.warn(`predicted kube-bench FAIL on ${role} nodes: ${f.id} ${f.title} (${f.detail})`);
  }
}

const cluster = createHardenedCluster(config);

const outputs = stackOutputs(cluster, config, {
  server: compliance.failures.server.map((f) => f.id),
  agent: compliance.failures.agent.map((f) => f.id),
});
export const clusterName = outputs.cluster;
export const benchmark = outputs.benchmark;
export const nodes = outputs.nodes;
export const predictedKubeBenchFailures = outputs.predictedKubeBenchFailures;
