/**
 * Rollout order: servers strictly one at a time (etcd keeps quorum), then agents in batches.
 * Pure planning; the program turns it into `dependsOn`.
 */
import { NodeSpec } from "../config/types";

export interface RolloutStep {
  node: NodeSpec;
  /** Names of the nodes whose apply must finish before this one starts. */
  after: string[];
}

export function planRollout(nodes: NodeSpec[], agentBatchSize: number): RolloutStep[] {
  const steps: RolloutStep[] = [];
  const servers = nodes.filter((n) => n.role === "server");
  const agents = nodes.filter((n) => n.role === "agent");
  let previous: string[] = [];
  for (const s of servers) {
    steps.push({ node: s, after: previous });
    previous = [s.name];
  }
  for (let i = 0; i < agents.length; i += agentBatchSize) {
    const batch = agents.slice(i, i + agentBatchSize);
    for (const a of batch) steps.push({ node: a, after: previous });
    previous = batch.map((a) => a.name);
  }
  return steps;
}
