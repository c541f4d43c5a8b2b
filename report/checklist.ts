/**
 * The guide's compliance checklist, evaluated against the scan.
 *
 * Each row names what decides it: catalog topics (never CIS ids), the cluster score, the gate's FAIL
 * limit, the critical controls, or report freshness. A row kube-bench cannot prove (MFA, image
 * signing, SBOM, Falco, Vault) is `unknown` with "not measured by kube-bench": nothing is green by default.
 */
import { Control, criticalControls } from "../components/cis";
import { CheckResult } from "./parse";
import { TopicPattern, controlMatches, policyPackControls } from "./policy-coverage";
import { Assessment, NodeAssessment, compareIds, failsCritical, isEvaluated } from "./score";

export type ChecklistMeasure =
  /** The results of the controls carrying these topics. */
  | { kind: "topics"; topics: readonly TopicPattern[] }
  /** The cluster's automatedPassPercent against a minimum. */
  | { kind: "score"; minPercent: number }
  /** The cluster's FAIL count against --max-fail. */
  | { kind: "fail-count" }
  /** The catalog's critical controls. */
  | { kind: "critical" }
  /** Every node's newest report against --max-age-days. */
  | { kind: "freshness" }
  /** Something kube-bench does not look at. */
  | { kind: "unmeasured" };

export interface ChecklistItem {
  control: string;
  target: string;
  owner: string;
  measure: ChecklistMeasure;
}

/** The guide's "Compliance Dashboard Checklist", then the measurable items of its "Done When" list. */
export const GUIDE_CHECKLIST: readonly ChecklistItem[] = [
  {
    control: "Anonymous auth disabled",
    target: "required",
    owner: "Platform",
    measure: { kind: "topics", topics: ["api.anonymous-auth", "kubelet.anonymous-auth"] },
  },
  {
    control: "Audit logging enabled",
    target: "required",
    owner: "Platform",
    measure: {
      kind: "topics",
      topics: ["api.audit-log-path", "api.audit-log-maxage", "api.audit-log-maxbackup", "api.audit-log-maxsize"],
    },
  },
  { control: "No privileged pods", target: "required", owner: "OPA Gatekeeper", measure: { kind: "topics", topics: ["pod.privileged"] } },
  { control: "All images signed", target: "required", owner: "Cosign Policy Controller", measure: { kind: "unmeasured" } },
  { control: "No root containers", target: "required", owner: "OPA Gatekeeper", measure: { kind: "topics", topics: ["pod.root"] } },
  { control: "RBAC least privilege", target: "required", owner: "Namespace owners", measure: { kind: "topics", topics: ["rbac.*"] } },
  {
    control: "Network policies in place",
    target: "required",
    owner: "Cilium",
    measure: { kind: "topics", topics: ["network.cni-policies", "network.policies"] },
  },
  { control: "Secrets in Vault (not Secrets)", target: "required", owner: "Platform", measure: { kind: "unmeasured" } },
  { control: "MFA for admins", target: "required", owner: "Keycloak", measure: { kind: "unmeasured" } },
  { control: "kube-bench score ≥ 80%", target: "≥ 80% of evaluated checks", owner: "Platform", measure: { kind: "score", minPercent: 80 } },
  { control: "Falco active on all nodes", target: "required", owner: "Security", measure: { kind: "unmeasured" } },
  { control: "SBOM for all prod images", target: "required", owner: "CI/CD pipeline", measure: { kind: "unmeasured" } },
  { control: "kube-bench FAIL count under the limit", target: "below --max-fail", owner: "Platform", measure: { kind: "fail-count" } },
  { control: "Critical controls passing", target: "none failing", owner: "Platform", measure: { kind: "critical" } },
  {
    control: "Default SA token automount disabled",
    target: "required",
    owner: "Platform",
    measure: { kind: "topics", topics: ["sa.token-automount"] },
  },
  { control: "Weekly kube-bench reports stored", target: "newest within --max-age-days", owner: "Platform", measure: { kind: "freshness" } },
];

export type RowStatus = "green" | "red" | "unknown";

/** A report that backs a row. */
export interface Evidence {
  node: string;
  /** File path or s3:// URI of the report. */
  location: string;
}

export interface ChecklistRow extends ChecklistItem {
  status: RowStatus;
  /** Why the row has its status, in one sentence or a few clauses. */
  detail: string;
  evidence: Evidence[];
  /** Ids of this row's controls that kube-bench does not evaluate (always WARN) and the policy pack enforces. */
  coveredByPolicyPack: string[];
}

export const NOT_MEASURED = "not measured by kube-bench";

function allEvidence(a: Assessment): Evidence[] {
  return a.nodes.map((n) => ({ node: n.node, location: n.report.location }));
}

interface Found {
  node: NodeAssessment;
  result: CheckResult;
}

function joinIds(ids: Iterable<string>): string {
  return [...new Set(ids)].sort(compareIds).join(", ");
}

function describeByNode(found: readonly Found[]): string {
  const byId = new Map<string, Set<string>>();
  for (const f of found) byId.set(f.result.id, (byId.get(f.result.id) ?? new Set()).add(f.node.node));
  return [...byId.keys()]
    .sort(compareIds)
    .map((id) => `${id} on ${[...(byId.get(id) as Set<string>)].sort().join(", ")}`)
    .join("; ");
}

function topicsRow(a: Assessment, item: ChecklistItem, topics: readonly TopicPattern[]): RowWithoutCoverage {
  const controls: Control[] = a.benchmark.controls.filter((c) => controlMatches(c, topics));
  if (controls.length === 0) {
    return { ...item, status: "unknown", detail: `${a.benchmark.id} has no control for this`, evidence: [] };
  }
  const ids = new Set(controls.map((c) => c.id));
  const found: Found[] = a.nodes.flatMap((node) =>
    node.report.results.filter((r) => ids.has(r.id)).map((result) => ({ node, result })),
  );
  const evidence = [...new Set(found.map((f) => f.node))].map((n) => ({ node: n.node, location: n.report.location }));
  if (found.length === 0) {
    return { ...item, status: "unknown", detail: `${joinIds(ids)} in no node's newest report`, evidence: [] };
  }
  const bad = found.filter((f) => failsCritical(f.result));
  if (bad.length > 0) {
    const failing = bad.filter((f) => f.result.status === "FAIL");
    const warning = bad.filter((f) => f.result.status !== "FAIL");
    const parts = [];
    if (failing.length > 0) parts.push(`FAIL: ${describeByNode(failing)}`);
    if (warning.length > 0) parts.push(`WARN although evaluated: ${describeByNode(warning)}`);
    return { ...item, status: "red", detail: parts.join("; "), evidence };
  }
  const passing = found.filter((f) => f.result.status === "PASS");
  if (passing.length === found.length) {
    const nodes = new Set(found.map((f) => f.node.node));
    return {
      ...item,
      status: "green",
      detail: `${joinIds(passing.map((f) => f.result.id))} PASS on ${nodes.size} node${nodes.size === 1 ? "" : "s"}`,
      evidence,
    };
  }
  // Some results are manual (WARN) or skipped (INFO): the scan does not prove the row.
  const unproven = found.filter((f) => f.result.status !== "PASS");
  const manual = unproven.filter((f) => !isEvaluated(f.result) && f.result.status === "WARN");
  const skipped = unproven.filter((f) => f.result.status === "INFO");
  const coveredIds = new Set(policyPackControls(a.benchmark).map((c) => c.id));
  const parts: string[] = [];
  if (passing.length > 0) parts.push(`${joinIds(passing.map((f) => f.result.id))} PASS`);
  const coveredManual = manual.filter((f) => coveredIds.has(f.result.id));
  const otherManual = manual.filter((f) => !coveredIds.has(f.result.id));
  if (coveredManual.length > 0) {
    parts.push(
      `${joinIds(coveredManual.map((f) => f.result.id))} not evaluated by kube-bench (always WARN), covered by the ` +
        `policy pack at deploy time (${NOT_MEASURED})`,
    );
  }
  if (otherManual.length > 0) {
    parts.push(`${joinIds(otherManual.map((f) => f.result.id))} not evaluated by kube-bench (always WARN)`);
  }
  if (skipped.length > 0) parts.push(`${joinIds(skipped.map((f) => f.result.id))} skipped by kube-bench (INFO)`);
  return {
    ...item,
    status: "unknown",
    detail: parts.join("; "),
    evidence,
    coveredByPolicyPack: [...new Set(coveredManual.map((f) => f.result.id))].sort(compareIds),
  };
}

function scoreRow(a: Assessment, item: ChecklistItem, minPercent: number): RowWithoutCoverage {
  const auto = a.cluster.automatedPassPercent;
  const raw = a.cluster.rawPassPercent;
  const rawText = raw === null ? "" : ` (raw ${raw}% of all results, the guide's figure)`;
  if (auto === null) {
    return { ...item, status: "unknown", detail: "no evaluated checks in the reports", evidence: allEvidence(a) };
  }
  return {
    ...item,
    status: auto >= minPercent ? "green" : "red",
    detail: `${auto}% of evaluated checks PASS${rawText}`,
    evidence: allEvidence(a),
  };
}

function failCountRow(a: Assessment, item: ChecklistItem): RowWithoutCoverage {
  const { fail } = a.cluster;
  const max = a.options.maxFail;
  return {
    ...item,
    target: `FAIL < ${max}`,
    status: fail < max ? "green" : "red",
    detail: `${fail} FAIL across ${a.nodes.length} node${a.nodes.length === 1 ? "" : "s"}`,
    evidence: allEvidence(a),
  };
}

function criticalRow(a: Assessment, item: ChecklistItem): RowWithoutCoverage {
  const failing = a.nodes.filter((n) => n.criticalFailed.length > 0);
  if (failing.length > 0) {
    return {
      ...item,
      status: "red",
      detail: failing.map((n) => `${n.criticalFailed.join(", ")} on ${n.node}`).join("; "),
      evidence: failing.map((n) => ({ node: n.node, location: n.report.location })),
    };
  }
  const critical = criticalControls(a.benchmark);
  if (critical.length === 0) {
    return { ...item, status: "unknown", detail: `the catalog marks no control of ${a.benchmark.id} critical`, evidence: [] };
  }
  const results = a.nodes.flatMap((n) => n.report.results);
  const covered = new Set(policyPackControls(a.benchmark).map((c) => c.id));
  const passing: string[] = [];
  const manualCovered: string[] = [];
  const unproven: string[] = [];
  for (const c of critical) {
    const rs = results.filter((r) => r.id === c.id);
    if (rs.length > 0 && rs.every((r) => r.status === "PASS")) passing.push(c.id);
    else if (rs.length > 0 && covered.has(c.id) && rs.every((r) => r.status === "WARN" && !isEvaluated(r))) manualCovered.push(c.id);
    else unproven.push(c.id);
  }
  if (manualCovered.length === 0 && unproven.length === 0) {
    return {
      ...item,
      status: "green",
      detail: `all ${critical.length} critical controls PASS (${joinIds(passing)})`,
      evidence: allEvidence(a),
    };
  }
  const parts = ["none failing"];
  if (passing.length > 0) parts.push(`${joinIds(passing)} PASS`);
  if (manualCovered.length > 0) {
    parts.push(`${joinIds(manualCovered)} not evaluated by kube-bench, covered by the policy pack (${NOT_MEASURED})`);
  }
  if (unproven.length > 0) parts.push(`${joinIds(unproven)} not proven by the scan (not evaluated, skipped or in no report)`);
  return {
    ...item,
    status: "unknown",
    detail: parts.join("; "),
    evidence: allEvidence(a),
    coveredByPolicyPack: manualCovered.sort(compareIds),
  };
}

function freshnessRow(a: Assessment, item: ChecklistItem): RowWithoutCoverage {
  const max = a.options.maxAgeDays;
  if (max <= 0) {
    return { ...item, status: "unknown", detail: "age check turned off (--max-age-days 0)", evidence: allEvidence(a) };
  }
  const stale = a.nodes.filter((n) => n.ageDays > max);
  const oldest = Math.max(...a.nodes.map((n) => n.ageDays));
  return {
    ...item,
    target: `newest report ≤ ${max} days old`,
    status: stale.length === 0 ? "green" : "red",
    detail:
      stale.length === 0
        ? `oldest newest-report is ${Math.max(0, Math.floor(oldest * 10) / 10).toFixed(1)} days old`
        : `stale: ${stale.map((n) => `${n.node} (${(Math.floor(n.ageDays * 10) / 10).toFixed(1)} days)`).join(", ")}`,
    evidence: (stale.length > 0 ? stale : a.nodes).map((n) => ({ node: n.node, location: n.report.location })),
  };
}

/** Evaluates every checklist item against the assessment. */
export function evaluateChecklist(a: Assessment, items: readonly ChecklistItem[] = GUIDE_CHECKLIST): ChecklistRow[] {
  return items.map((item) => ({ coveredByPolicyPack: [], ...evaluateItem(a, item) }));
}

type RowWithoutCoverage = Omit<ChecklistRow, "coveredByPolicyPack"> & { coveredByPolicyPack?: string[] };

function evaluateItem(a: Assessment, item: ChecklistItem): RowWithoutCoverage {
  const m = item.measure;
  switch (m.kind) {
    case "topics":
      return topicsRow(a, item, m.topics);
    case "score":
      return scoreRow(a, item, m.minPercent);
    case "fail-count":
      return failCountRow(a, item);
    case "critical":
      return criticalRow(a, item);
    case "freshness":
      return freshnessRow(a, item);
    case "unmeasured":
      return { ...item, status: "unknown", detail: NOT_MEASURED, evidence: [] };
  }
}
