/**
 * Scoring and the compliance gate. Pure: reports, catalog and options in; an assessment out.
 *
 * Definitions (README "Scoring"):
 * - counts: the number of results with status PASS, FAIL, WARN and INFO;
 * - rawPassPercent = 100 * PASS / (PASS + FAIL + WARN + INFO), the figure the guide quotes;
 * - automatedPassPercent = 100 * (PASS among evaluated results) / (evaluated results), where a result is
 *   evaluated when its kube-bench `type` is "" and kube-bench had tests to run for it (see isEvaluated):
 *   manual checks always WARN, skipped ones are INFO, and a check without tests always WARNs;
 * both rounded to one decimal, null when the denominator is 0. A node is scored on its newest report;
 * the cluster on the sum of the nodes' counts (not the mean of their percentages).
 */
import { Benchmark, Control, controlById, criticalControls } from "../components/cis";
import { compareIds } from "../components/cis/ids";
import { CLOCK_SKEW_MS, LoadedReport } from "./load";
import { CheckResult, StatusCounts, countStatuses } from "./parse";
import { policyPackControls } from "./policy-coverage";

export interface Score extends StatusCounts {
  /** All results. */
  total: number;
  /** Results kube-bench evaluates (see isEvaluated). */
  evaluated: number;
  /** PASS results among the evaluated ones. */
  evaluatedPass: number;
  rawPassPercent: number | null;
  automatedPassPercent: number | null;
}

export interface GateOptions {
  /** The gate fails when the cluster's FAIL count reaches this (>= 1). */
  maxFail: number;
  /** The gate fails when a node's newest report is older than this many days; 0 turns the check off. */
  maxAgeDays: number;
  /** The time the age check measures against. */
  now: Date;
}

export interface GateResult {
  passed: boolean;
  reasons: string[];
}

/** A result of a catalogued critical control that fails the gate. */
export interface CriticalFinding {
  id: string;
  node: string;
  status: "FAIL" | "WARN";
  title: string;
}

export interface NodeAssessment extends Score {
  node: string;
  /** The node's newest report, the one it is scored on. */
  report: LoadedReport;
  /** Days between the report and GateOptions.now. */
  ageDays: number;
  /** Ids of FAIL results, in CIS order. */
  failed: string[];
  /** Ids of critical controls that FAIL, or WARN although kube-bench evaluates them (see isEvaluated). */
  criticalFailed: string[];
  /** Ids of manual (not evaluated) WARN results whose control the policy pack enforces. */
  coveredByPolicy: string[];
  /** How many reports of this node were read (the newest is scored, all feed the trend). */
  reportCount: number;
}

/** One point of the trend: the reports of one UTC day, each node's newest of that day. */
export interface TrendPoint {
  /** UTC date, YYYY-MM-DD. */
  date: string;
  nodes: string[];
  score: Score;
}

export interface Assessment {
  benchmark: Benchmark;
  options: GateOptions;
  nodes: NodeAssessment[];
  cluster: Score;
  gate: GateResult;
  trend: TrendPoint[];
  /** Facts worth telling that do not fail the gate (e.g. a critical control no report evaluated). */
  notes: string[];
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** 100 * part / whole rounded to one decimal; null when whole is 0. */
export function percent(part: number, whole: number): number | null {
  if (whole === 0) return null;
  return Math.round((part * 1000) / whole) / 10;
}

/**
 * kube-bench's `reason` for a check of empty `type` that has no tests to run (check/check.go): it WARNs
 * on every cluster, like a manual check, so it is not an evaluated check.
 */
export const NO_TESTS_REASONS: readonly string[] = ["No tests defined", "There are no tests"];

/**
 * Whether kube-bench evaluated the check: its `type` is empty (not "manual", not "skip") and it had
 * tests to run (its `reason` is not one of NO_TESTS_REASONS).
 */
export function isEvaluated(result: Pick<CheckResult, "type" | "reason">): boolean {
  return result.type === "" && !NO_TESTS_REASONS.includes(result.reason);
}

function scoreFromCounts(counts: StatusCounts, evaluated: number, evaluatedPass: number): Score {
  const total = counts.pass + counts.fail + counts.warn + counts.info;
  return {
    ...counts,
    total,
    evaluated,
    evaluatedPass,
    rawPassPercent: percent(counts.pass, total),
    automatedPassPercent: percent(evaluatedPass, evaluated),
  };
}

/** The score of one report's results. */
export function scoreResults(results: readonly CheckResult[]): Score {
  const evaluated = results.filter(isEvaluated);
  return scoreFromCounts(
    countStatuses(results),
    evaluated.length,
    evaluated.filter((r) => r.status === "PASS").length,
  );
}

/** The sum of several scores, percentages recomputed from the sums. */
export function sumScores(scores: readonly Score[]): Score {
  const counts: StatusCounts = { pass: 0, fail: 0, warn: 0, info: 0 };
  let evaluated = 0;
  let evaluatedPass = 0;
  for (const s of scores) {
    counts.pass += s.pass;
    counts.fail += s.fail;
    counts.warn += s.warn;
    counts.info += s.info;
    evaluated += s.evaluated;
    evaluatedPass += s.evaluatedPass;
  }
  return scoreFromCounts(counts, evaluated, evaluatedPass);
}

export { compareIds };

function uniqueSorted(ids: Iterable<string>): string[] {
  return [...new Set(ids)].sort(compareIds);
}

/** UTC timestamp without milliseconds, e.g. 2026-11-22T02:00:00Z. */
export function formatTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

function newestFirst(a: LoadedReport, b: LoadedReport): number {
  const dt = b.time.getTime() - a.time.getTime();
  if (dt !== 0) return dt;
  return a.location < b.location ? 1 : a.location > b.location ? -1 : 0;
}

/** A critical control's result fails the gate when it FAILs, or WARNs although kube-bench evaluates it. */
export function failsCritical(result: CheckResult): result is CheckResult & { status: "FAIL" | "WARN" } {
  return result.status === "FAIL" || (result.status === "WARN" && isEvaluated(result));
}

function assessNode(
  node: string,
  reports: LoadedReport[],
  critical: ReadonlySet<string>,
  covered: ReadonlySet<string>,
  now: Date,
): NodeAssessment {
  const sorted = [...reports].sort(newestFirst);
  const report = sorted[0];
  const score = scoreResults(report.results);
  return {
    ...score,
    node,
    report,
    ageDays: (now.getTime() - report.time.getTime()) / DAY_MS,
    failed: uniqueSorted(report.results.filter((r) => r.status === "FAIL").map((r) => r.id)),
    criticalFailed: uniqueSorted(report.results.filter((r) => critical.has(r.id) && failsCritical(r)).map((r) => r.id)),
    coveredByPolicy: uniqueSorted(
      report.results.filter((r) => r.status === "WARN" && !isEvaluated(r) && covered.has(r.id)).map((r) => r.id),
    ),
    reportCount: reports.length,
  };
}

function utcDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** One point per UTC day that has reports; each point sums, per node, that node's newest report of the day. */
export function buildTrend(reports: readonly LoadedReport[]): TrendPoint[] {
  const byDay = new Map<string, Map<string, LoadedReport>>();
  for (const r of reports) {
    const day = utcDate(r.time);
    const nodes = byDay.get(day) ?? new Map<string, LoadedReport>();
    const seen = nodes.get(r.node);
    if (seen === undefined || newestFirst(r, seen) < 0) nodes.set(r.node, r);
    byDay.set(day, nodes);
  }
  return [...byDay.keys()].sort().map((date) => {
    const nodes = byDay.get(date) as Map<string, LoadedReport>;
    const names = [...nodes.keys()].sort();
    return { date, nodes: names, score: sumScores(names.map((n) => scoreResults((nodes.get(n) as LoadedReport).results))) };
  });
}

function titleOf(bench: Benchmark, id: string): string {
  return controlById(bench, id)?.title ?? "";
}

function formatDays(days: number): string {
  return `${(Math.floor(days * 10) / 10).toFixed(1)} days`;
}

/**
 * Scores every node on its newest report, the cluster on their sum, and decides the gate:
 * it fails when the cluster's FAIL count reaches `maxFail`; when a critical control (from the catalog)
 * FAILs, or WARNs although kube-bench evaluates it, on any node; or when a node's newest report is
 * older than `maxAgeDays` (unless 0).
 */
export function assess(reports: readonly LoadedReport[], bench: Benchmark, options: GateOptions): Assessment {
  const criticalList: Control[] = criticalControls(bench);
  const critical = new Set(criticalList.map((c) => c.id));
  const covered = new Set(policyPackControls(bench).map((c) => c.id));

  const reasons: string[] = [];
  // Evidence that is not what it claims fails the gate, and a report from the future is not scored: its
  // name would make it every node's newest report forever.
  const limit = options.now.getTime() + CLOCK_SKEW_MS;
  const future = new Set(reports.filter((r) => r.time.getTime() > limit));
  for (const r of reports) {
    for (const p of r.integrity ?? []) reasons.push(`${r.location}: ${p}`);
    if (future.has(r)) {
      reasons.push(
        `${r.location}: dated ${formatTime(r.time)}, after now (${formatTime(options.now)}) by more than the ${CLOCK_SKEW_MS / 60000} minutes of clock skew allowed: a forged or mis-named report, not scored`,
      );
    }
  }
  const byNode = new Map<string, LoadedReport[]>();
  for (const r of reports) if (!future.has(r)) byNode.set(r.node, [...(byNode.get(r.node) ?? []), r]);
  const nodes = [...byNode.keys()]
    .sort()
    .map((node) => assessNode(node, byNode.get(node) as LoadedReport[], critical, covered, options.now));
  const cluster = sumScores(nodes);

  if (cluster.fail >= options.maxFail) {
    reasons.push(`cluster FAIL count ${cluster.fail} reaches the limit of ${options.maxFail} (--max-fail)`);
  }
  for (const n of nodes) {
    for (const id of n.criticalFailed) {
      const statuses = new Set(n.report.results.filter((r) => r.id === id && failsCritical(r)).map((r) => r.status));
      const title = titleOf(bench, id);
      const what = `critical control ${id}${title ? ` (${title})` : ""}`;
      if (statuses.has("FAIL")) reasons.push(`${what} FAILs on ${n.node}`);
      else reasons.push(`${what} WARNs on ${n.node} although kube-bench evaluates it`);
    }
  }
  if (options.maxAgeDays > 0) {
    for (const n of nodes) {
      if (n.ageDays > options.maxAgeDays) {
        const source = n.report.timeFromName ? "" : " (file modification time)";
        reasons.push(
          `newest report of ${n.node} is from ${formatTime(n.report.time)}${source}, ${formatDays(n.ageDays)} old ` +
            `(limit ${options.maxAgeDays} days, --max-age-days)`,
        );
      }
    }
  }

  const notes: string[] = [];
  const seenIds = new Set(nodes.flatMap((n) => n.report.results.map((r) => r.id)));
  const unseen = criticalList.filter((c) => !seenIds.has(c.id)).map((c) => c.id).sort(compareIds);
  if (unseen.length > 0) {
    notes.push(
      `critical control${unseen.length > 1 ? "s" : ""} ${unseen.join(", ")} ${unseen.length > 1 ? "are" : "is"} ` +
        "in no node's newest report, so the scan proves nothing about them (run the targets that hold them)",
    );
  }

  return {
    benchmark: bench,
    options,
    nodes,
    cluster,
    gate: { passed: reasons.length === 0, reasons },
    trend: buildTrend(reports),
    notes,
  };
}

/** The counts and percentages as the JSON output names them. */
export interface JsonScore {
  pass: number;
  fail: number;
  warn: number;
  info: number;
  rawPassPercent: number | null;
  automatedPassPercent: number | null;
}

export interface JsonNode extends JsonScore {
  node: string;
  benchmark: string;
  reportTime: string;
  failed: string[];
  criticalFailed: string[];
}

/** The document `--json` prints. */
export interface JsonReport {
  benchmark: string;
  nodes: JsonNode[];
  cluster: JsonScore;
  gate: GateResult;
}

function jsonScore(s: Score): JsonScore {
  return {
    pass: s.pass,
    fail: s.fail,
    warn: s.warn,
    info: s.info,
    rawPassPercent: s.rawPassPercent,
    automatedPassPercent: s.automatedPassPercent,
  };
}

export function toJsonReport(a: Assessment): JsonReport {
  return {
    benchmark: a.benchmark.id,
    nodes: a.nodes.map((n) => ({
      node: n.node,
      benchmark: n.report.benchmark,
      reportTime: formatTime(n.report.time),
      ...jsonScore(n),
      failed: n.failed,
      criticalFailed: n.criticalFailed,
    })),
    cluster: jsonScore(a.cluster),
    gate: { passed: a.gate.passed, reasons: [...a.gate.reasons] },
  };
}
