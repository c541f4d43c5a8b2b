/**
 * The whole program's resource graph for a validated configuration. index.ts loads and validates the
 * configuration and calls this; tests and benchmarks call it with a configuration they build.
 */
import * as pulumi from "@pulumi/pulumi";
import { NodeSpec, StackConfig } from "./config/types";
import { NodeHardening } from "./node/nodeHardening";
import { planRollout } from "./node/rollout";
import { describeFindings, NodeDrift } from "./node/drift";
import { CLUSTER_HARDENING_TYPE } from "./tokens";

export { CLUSTER_HARDENING_TYPE };

/** Registered outputs of the root component. */
export interface ClusterHardeningSummary {
  cluster: string;
  benchmark: string;
  /** Every node of the stack configuration; each must have a NodeHardening. */
  expectedNodes: Array<{ name: string; role: "server" | "agent" }>;
  auditLogPath: string;
  auditPolicyPath: string;
}

/** How the program reaches the nodes itself; index.ts passes the real ones, tests their own or none. */
export interface NodeAccess {
  /** Probes the nodes for drift (used when the configuration has driftCheck on). */
  probeAll?: (cfg: StackConfig) => Map<string, Promise<NodeDrift>>;
  /** Checks a node answers before its restore runs. */
  restoreHook?: pulumi.ResourceHook;
}

/** Show what drifted on a node as a warning on its component (visible in preview and up). */
function reportDrift(node: NodeSpec, drift: Promise<NodeDrift>, resource: pulumi.Resource): void {
  drift.then(
    (d) => {
      const items = describeFindings(d, "drift");
      if (items.length === 0) return;
      const restart = d.findings.some((f) => f.category === "drift" && f.restarts) ? "k3s restarts" : "no restart needed";
      pulumi.log.warn(`node ${node.name} drifted from the stack; pulumi up puts it back (${restart}):\n  - ${items.join("\n  - ")}`, resource);
    },
    () => undefined, // the failure surfaces through the apply command's input
  );
}

/** Root component: parent of every node's hardening, carrying what the stack was configured with. */
export class ClusterHardening extends pulumi.ComponentResource {
  public readonly nodes: NodeHardening[] = [];
  public readonly summary: ClusterHardeningSummary;

  constructor(name: string, cfg: StackConfig, opts?: pulumi.ComponentResourceOptions, access: NodeAccess = {}) {
    super(CLUSTER_HARDENING_TYPE, name, {}, opts);
    const drifts = cfg.driftCheck && access.probeAll ? access.probeAll(cfg) : new Map<string, Promise<NodeDrift>>();
    const byName = new Map<string, NodeHardening>();
    for (const step of planRollout(cfg.nodes, cfg.rollout.agentBatchSize)) {
      const after = step.after.map((n) => {
        const dep = byName.get(n);
        if (!dep) throw new Error(`rollout plan: ${step.node.name} depends on unknown node ${n}`);
        return dep.command;
      });
      const drift = drifts.get(step.node.name);
      const hardening = new NodeHardening(
        step.node.name,
        { node: step.node, config: cfg, drift, restoreHook: access.restoreHook },
        { parent: this, dependsOn: after },
      );
      if (drift) reportDrift(step.node, drift, hardening);
      byName.set(step.node.name, hardening);
      this.nodes.push(hardening);
    }
    this.summary = {
      cluster: cfg.cluster,
      benchmark: cfg.profile.benchmark,
      expectedNodes: cfg.nodes.map((n) => ({ name: n.name, role: n.role })),
      auditLogPath: cfg.profile.audit.logPath,
      auditPolicyPath: cfg.profile.audit.policyPath,
    };
    this.registerOutputs({ ...this.summary });
  }

  /** The server nodes' hardening (apply and restore commands): what the API server depends on. */
  public controlPlane(): pulumi.Resource[] {
    return this.nodes.filter((n) => n.summary.role === "server").flatMap((n) => [n.command, n.restore]);
  }
}

export function createHardenedCluster(cfg: StackConfig, access: NodeAccess = {}): ClusterHardening {
  return new ClusterHardening(cfg.cluster, cfg, undefined, access);
}

/** Stack outputs shown after `pulumi up`: what each node got, and the predicted kube-bench failures. */
export function stackOutputs(cluster: ClusterHardening, cfg: StackConfig, predictedFailures: Record<string, string[]>) {
  return {
    cluster: cfg.cluster,
    benchmark: cfg.profile.benchmark,
    nodes: cluster.nodes.map((n) => ({ name: n.summary.nodeName, role: n.summary.role, digest: n.summary.digest })),
    predictedKubeBenchFailures: predictedFailures,
  };
}
