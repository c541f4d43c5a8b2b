/**
 * Predicted kube-bench results for a validated configuration. Used before any resource exists: extra
 * arguments that turn a passing control into a failing one are configuration errors; failures the profile
 * itself accepts (an opt-in left off) become warnings.
 */
import { getBenchmark } from "../cis";
import { StackConfig, NodeSpec } from "../config/types";
import { ConfigError } from "../config/validate";
import { ARG_COMPONENTS, ArgComponent } from "./facts";
import { Prediction, predictedFailures } from "./evaluate";
import { agentConfigDocument, isFirstServer, serverConfigDocument } from "./render";

function withoutExtraArgs(cfg: StackConfig): StackConfig {
  const extraArgs = Object.fromEntries(ARG_COMPONENTS.map((c) => [c, [] as string[]])) as Record<ArgComponent, string[]>;
  return { ...cfg, profile: { ...cfg.profile, extraArgs } };
}

function documentFor(cfg: StackConfig, node: NodeSpec) {
  return node.role === "server" ? serverConfigDocument(cfg, node, isFirstServer(cfg, node)) : agentConfigDocument(cfg, node);
}

export interface ComplianceSummary {
  /** Per role: controls predicted to FAIL with the profile as configured. */
  failures: Record<"server" | "agent", Prediction[]>;
}

/** Throws ConfigError when extra args break a control; returns the predicted failures otherwise. */
export function checkPredictedCompliance(cfg: StackConfig): ComplianceSummary {
  const bench = getBenchmark(cfg.profile.benchmark);
  const base = withoutExtraArgs(cfg);
  const problems: string[] = [];
  const failures: ComplianceSummary["failures"] = { server: [], agent: [] };
  for (const role of ["server", "agent"] as const) {
    const node = cfg.nodes.find((n) => n.role === role);
    if (!node) continue;
    const withExtras = predictedFailures(bench, role, documentFor(cfg, node));
    const baseline = new Set(predictedFailures(bench, role, documentFor(base, node)).map((p) => p.id));
    for (const p of withExtras) {
      if (!baseline.has(p.id)) {
        problems.push(`extraArgs: makes ${bench.id} control ${p.id} (${p.title}) FAIL on ${role} nodes (${p.detail}); remove or change that argument`);
      }
    }
    failures[role] = withExtras;
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { failures };
}
