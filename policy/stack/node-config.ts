/**
 * Each node's rendered k3s configuration (the NodeHardening component's `k3sConfig` output) passes the
 * catalog's flag checks: the violation lists the controls kube-bench is predicted to FAIL on that node,
 * i.e. a kube-bench result at preview time (components/k3s/evaluate.ts). Two policies so that critical
 * controls block by default and the others advise.
 */
import { getBenchmark, BenchmarkId, Control } from "../../components/cis";
import { UnknownTracker } from "../rules/access";
import { StackOutcome, StackRule, StackRuleContext, StackResource } from "../rules/types";
import { finish, hardenedNodes, noNodes, predictions } from "./nodes";

function nodeConfigRule(name: string, critical: boolean): StackRule {
  const which = critical ? "critical" : "non-critical";
  return {
    name,
    description: `Checks that kube-bench is predicted to pass every ${which} flag check on each node, from the node's rendered k3s configuration.`,
    remediationSteps:
      "Fix the hardening profile (or remove the node's k3sSettings/extraArgs override) that sets the flag, run npm run render to review the node's config.yaml, and preview again.",
    severity: critical ? "critical" : "high",
    check(resources: readonly StackResource[], ctx: StackRuleContext): StackOutcome {
      const tracker = new UnknownTracker();
      const nodes = hardenedNodes(resources, tracker);
      if (nodes.length === 0 && !tracker.sawUnknown) return noNodes();
      const bench = getBenchmark(ctx.benchmark as BenchmarkId);
      const byId = new Map<string, Control>(bench.controls.map((c) => [c.id, c]));
      const outcome: StackOutcome = { findings: [], exempted: [] };
      for (const node of nodes) {
        const reason = ctx.exempt("Node", node.name);
        if (reason !== undefined) {
          if (!outcome.exempted.includes(reason)) outcome.exempted.push(reason);
          continue;
        }
        const fails = predictions(ctx.benchmark, node).filter((p) => p.status === "FAIL" && (byId.get(p.id)?.severity === "critical") === critical);
        if (fails.length === 0) continue;
        const rendered = node.benchmark && node.benchmark !== ctx.benchmark ? ` (node rendered for ${node.benchmark})` : "";
        const list = fails.map((p) => `${p.id} ${p.title} (${p.detail})`).join("; ");
        outcome.findings.push({
          urn: node.resource.urn,
          message: `node ${node.name} (${node.role})${rendered}: kube-bench ${ctx.benchmark} would FAIL ${fails.length} ${which} control${fails.length === 1 ? "" : "s"}: ${list}`,
        });
      }
      return finish(outcome, tracker);
    },
    exemptable: true,
  };
}

export const nodeConfigCritical = nodeConfigRule("k3s-node-config-critical", true);
export const nodeConfig = nodeConfigRule("k3s-node-config", false);
