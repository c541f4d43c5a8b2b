/**
 * Predicted kube-bench results for a validated configuration. Used before any resource exists: extra
 * arguments that turn a passing control into a failing one are configuration errors; failures the profile
 * itself accepts (an opt-in left off) become warnings.
 */
import { getBenchmark } from "../cis";
import { StackConfig, NodeSpec } from "../config/types";
import { ConfigError } from "../config/validate";
import { ARG_COMPONENTS, ArgComponent } from "./facts";
import { Decider, Prediction, PredictedStatus, StackFacts, predictNode, predictPolicies, predictedFailures } from "./evaluate";
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

/** Every prediction of the stack: per role (its first node) and the cluster-wide `policies` target. */
export interface StackPrediction {
  benchmark: string;
  roles: Array<{ role: "server" | "agent"; node: string; predictions: Prediction[] }>;
  policies: Prediction[];
}

export function predictStack(cfg: StackConfig, facts: StackFacts): StackPrediction {
  const bench = getBenchmark(cfg.profile.benchmark);
  const roles: StackPrediction["roles"] = [];
  for (const role of ["server", "agent"] as const) {
    const node = cfg.nodes.find((n) => n.role === role);
    if (node) roles.push({ role, node: node.name, predictions: predictNode(bench, role, documentFor(cfg, node)) });
  }
  return { benchmark: bench.id, roles, policies: predictPolicies(bench, facts) };
}

const STATUS_ORDER: PredictedStatus[] = ["PASS", "FAIL", "WARN", "INFO", "UNKNOWN"];
const DECIDER_TEXT: Record<Decider, string> = {
  config: "the rendered config",
  node: "the node's own files",
  stack: "this stack's objects",
  cluster: "the rest of the cluster",
  nothing: "nothing",
};

function countLine(label: string, predictions: Prediction[]): string {
  const counts = STATUS_ORDER.map((s) => `${predictions.filter((p) => p.status === s).length} ${s}`);
  const unknown = predictions.filter((p) => p.status === "UNKNOWN");
  const by = [...new Set(unknown.map((p) => p.decidedBy))].map((d) => `${unknown.filter((p) => p.decidedBy === d).length} by ${DECIDER_TEXT[d]}`);
  return `${label}: ${counts.join(", ")}${by.length ? ` (UNKNOWN: decided ${by.join(", ")})` : ""}`;
}

/** A short text summary: counts per status and, for UNKNOWN, what decides them; then every FAIL. */
export function predictionLines(p: StackPrediction): string[] {
  const lines = [`predicted kube-bench ${p.benchmark} verdicts`];
  for (const r of p.roles) lines.push(countLine(`  ${r.role} nodes (${r.node})`, r.predictions));
  lines.push(countLine("  cluster (policies target)", p.policies));
  const fails = [...p.roles.flatMap((r) => r.predictions.map((x) => ({ ...x, where: `${r.role} nodes` }))), ...p.policies.map((x) => ({ ...x, where: "cluster" }))].filter(
    (x) => x.status === "FAIL",
  );
  lines.push(fails.length === 0 ? "  no check predicted to FAIL" : `  predicted FAIL: ${fails.map((f) => `${f.id} on ${f.where} (${f.title})`).join("; ")}`);
  return lines;
}
