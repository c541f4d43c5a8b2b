/**
 * Terminal rendering of an assessment: one row per node, the cluster total, the failing checks, the
 * gate's verdict. Plain text (no colour codes) so it reads the same in a terminal, a CI log or a file.
 */
import { controlById } from "../components/cis";
import { ChecklistRow } from "./checklist";
import { Assessment, compareIds, formatTime } from "./score";

/** Formats a percentage for display: one decimal, "-" when undefined. */
export function formatPercent(value: number | null): string {
  return value === null ? "-" : value.toFixed(1);
}

/** Lays out rows in columns; columns listed in `right` are right-aligned. */
export function columns(header: readonly string[], rows: readonly (readonly string[])[], right: ReadonlySet<number>): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (right.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}


/** Renders the assessment (and optionally the checklist) as text ending in a newline. */
export function renderTable(a: Assessment, checklist?: readonly ChecklistRow[]): string {
  const out: string[] = [];
  const nodeWord = a.nodes.length === 1 ? "node" : "nodes";
  out.push(`kube-bench compliance report: ${a.benchmark.id}, ${a.nodes.length} ${nodeWord}`);
  out.push("");
  const header = ["NODE", "REPORT (UTC)", "PASS", "FAIL", "WARN", "INFO", "RAW %", "AUTO %", "CRITICAL FAILING"];
  const rows = a.nodes.map((n) => [
    n.node,
    formatTime(n.report.time) + (n.report.timeFromName ? "" : "*"),
    String(n.pass),
    String(n.fail),
    String(n.warn),
    String(n.info),
    formatPercent(n.rawPassPercent),
    formatPercent(n.automatedPassPercent),
    n.criticalFailed.join(", ") || "-",
  ]);
  const c = a.cluster;
  rows.push([
    "CLUSTER",
    "",
    String(c.pass),
    String(c.fail),
    String(c.warn),
    String(c.info),
    formatPercent(c.rawPassPercent),
    formatPercent(c.automatedPassPercent),
    "",
  ]);
  out.push(...columns(header, rows, new Set([2, 3, 4, 5, 6, 7])));
  out.push("");
  out.push("RAW % = PASS / all results; AUTO % = PASS / evaluated results (kube-bench type \"\" with tests; manual excluded).");
  if (a.nodes.some((n) => !n.report.timeFromName)) {
    out.push("* time from the file's modification time (the file name holds no timestamp)");
  }

  const failing = a.nodes.flatMap((n) =>
    n.report.results
      .filter((r) => r.status === "FAIL" || n.criticalFailed.includes(r.id))
      .map((r) => ({ node: n.node, r, critical: n.criticalFailed.includes(r.id) })),
  );
  if (failing.length > 0) {
    out.push("");
    out.push("Failing checks:");
    const rows2 = failing
      .sort((x, y) => compareIds(x.r.id, y.r.id) || (x.node < y.node ? -1 : x.node > y.node ? 1 : 0))
      .map((f) => {
        const control = controlById(a.benchmark, f.r.id);
        const title = control?.title ?? oneLine(f.r.description);
        return [f.r.id, f.r.status, f.critical ? "critical" : "", f.node, title];
      });
    out.push(...columns(["ID", "STATUS", "", "NODE", "CHECK"], rows2, new Set()).map((l) => `  ${l}`));
  }

  const covered = [...new Set(a.nodes.flatMap((n) => n.coveredByPolicy))].sort(compareIds);
  if (covered.length > 0) {
    out.push("");
    out.push(`Covered by the policy pack (not evaluated by kube-bench, always WARN): ${covered.join(", ")}`);
  }

  if (checklist !== undefined) {
    out.push("");
    out.push("Checklist:");
    const rows3 = checklist.map((row) => [row.status, row.control, row.detail]);
    out.push(...columns(["STATUS", "CONTROL", "DETAIL"], rows3, new Set()).map((l) => `  ${l}`));
  }

  for (const note of a.notes) {
    out.push("");
    out.push(`Note: ${note}`);
  }

  out.push("");
  if (a.gate.passed) {
    out.push("Gate: PASSED");
  } else {
    out.push("Gate: FAILED");
    for (const reason of a.gate.reasons) out.push(`  - ${reason}`);
  }
  return `${out.join("\n")}\n`;
}
