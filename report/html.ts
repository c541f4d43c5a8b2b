/**
 * The compliance dashboard: one self-contained HTML page (inline CSS, inline SVG, no script, no
 * external asset; a Content-Security-Policy forbids loading anything). It shows the gate, the guide's
 * checklist, a trend of score and FAIL count over the stored reports, and every node's failing checks
 * with their remediation.
 */
import * as path from "path";
import { controlById } from "../components/cis";
import { ChecklistRow, Evidence } from "./checklist";
import { CheckResult } from "./parse";
import { Assessment, NodeAssessment, TrendPoint, compareIds, formatTime, isEvaluated } from "./score";
import { formatPercent } from "./table";

export interface HtmlOptions {
  /** When the page was made (shown in the header). */
  generatedAt: Date;
  /** Folder the HTML file is written to: local evidence links are made relative to it. */
  htmlDir?: string;
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

const esc = escapeHtml;

/** The href of a report: an s3:// URI as is, a local path relative to the HTML file's folder. */
export function evidenceHref(location: string, htmlDir?: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) return location;
  const rel = htmlDir === undefined ? location : path.relative(htmlDir, path.resolve(location));
  return rel.split(path.sep).map(encodeURIComponent).join("/");
}

const CSS = `
:root { --green: #1a7f37; --red: #cf222e; --grey: #6e7781; --line: #d0d7de; --bg: #f6f8fa; --blue: #0969da; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", Arial, sans-serif;
  margin: 0 auto; max-width: 1200px; padding: 24px; color: #1f2328; background: #fff; font-size: 14px; }
h1 { font-size: 24px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 32px 0 12px; border-bottom: 1px solid var(--line); padding-bottom: 6px; }
h3 { font-size: 16px; margin: 24px 0 8px; }
.meta { color: var(--grey); margin: 0 0 16px; }
.gate { border-radius: 6px; padding: 12px 16px; margin: 16px 0; border: 1px solid; }
.gate.passed { background: #dafbe1; border-color: var(--green); }
.gate.failed { background: #ffebe9; border-color: var(--red); }
.gate strong { font-size: 16px; } .gate ul { margin: 8px 0 0; padding-left: 20px; }
.cards { display: flex; gap: 12px; flex-wrap: wrap; }
.card { flex: 1 1 160px; border: 1px solid var(--line); border-radius: 6px; padding: 12px; background: var(--bg); }
.card .value { font-size: 24px; font-weight: 600; } .card .label { color: var(--grey); }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--bg); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.status { display: inline-block; min-width: 72px; text-align: center; border-radius: 12px; padding: 2px 10px;
  color: #fff; font-weight: 600; font-size: 12px; }
.status.green { background: var(--green); } .status.red { background: var(--red); } .status.unknown { background: var(--grey); }
.badge { display: inline-block; border-radius: 4px; padding: 0 6px; font-size: 12px; font-weight: 600; border: 1px solid; }
.badge.FAIL, .badge.critical { color: var(--red); border-color: var(--red); }
.badge.WARN { color: #9a6700; border-color: #9a6700; } .badge.policy { color: var(--blue); border-color: var(--blue); }
.detail { color: #424a53; } a { color: var(--blue); } code { font-size: 12px; }
.check { border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; margin: 8px 0; }
.check .title { font-weight: 600; } .check pre { white-space: pre-wrap; background: var(--bg); padding: 8px; margin: 6px 0 0; font-size: 12px; }
.chart { border: 1px solid var(--line); border-radius: 6px; padding: 8px; }
.chart svg { width: 100%; height: auto; display: block; }
.muted { color: var(--grey); }
footer { margin-top: 40px; color: var(--grey); font-size: 12px; }
`;

function statusLabel(status: ChecklistRow["status"]): string {
  return status === "green" ? "green" : status === "red" ? "red" : "unknown";
}

function evidenceLinks(evidence: readonly Evidence[], htmlDir?: string): string {
  if (evidence.length === 0) return '<span class="muted">none</span>';
  return evidence
    .map((e) => `<a href="${esc(evidenceHref(e.location, htmlDir))}" title="${esc(e.location)}">${esc(e.node)}</a>`)
    .join(", ");
}

function renderChecklist(rows: readonly ChecklistRow[], htmlDir?: string): string {
  const body = rows
    .map(
      (r) =>
        `<tr class="checklist-row" data-status="${r.status}"><td>${esc(r.control)}</td><td>${esc(r.target)}</td>` +
        `<td>${esc(r.owner)}</td><td><span class="status ${r.status}">${statusLabel(r.status)}</span>` +
        (r.coveredByPolicyPack.length > 0 ? ` <span class="badge policy" title="enforced at deploy time by the policy pack">policy pack</span>` : "") +
        `</td>` +
        `<td class="detail">${esc(r.detail)}</td><td>${evidenceLinks(r.evidence, htmlDir)}</td></tr>`,
    )
    .join("\n");
  return (
    `<table id="checklist-table"><thead><tr><th>Control</th><th>Target</th><th>Owner</th><th>Status</th>` +
    `<th>Detail</th><th>Evidence</th></tr></thead>\n<tbody>\n${body}\n</tbody></table>`
  );
}

/** A round upper bound for the FAIL axis with 5 integer steps. */
function failAxisMax(maxFail: number): number {
  const step = Math.max(1, Math.ceil(maxFail / 5));
  return step * 5;
}

/** The trend chart: evaluated and raw pass percentages (left axis) and FAIL count bars (right axis). */
export function renderTrendChart(points: readonly TrendPoint[], targetPercent = 80): string {
  const width = 960;
  const height = 320;
  const m = { left: 56, right: 56, top: 24, bottom: 56 };
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const n = points.length;
  const slot = n === 0 ? plotW : plotW / n;
  const xOf = (i: number): number => m.left + slot * (i + 0.5);
  const yPct = (p: number): number => m.top + plotH * (1 - p / 100);
  const failMax = failAxisMax(Math.max(0, ...points.map((p) => p.score.fail)));
  const yFail = (f: number): number => m.top + plotH * (1 - f / failMax);
  const r1 = (v: number): string => (Math.round(v * 10) / 10).toString();

  const parts: string[] = [];
  parts.push(
    `<svg id="trend-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" role="img" ` +
      `aria-label="Score and FAIL count over ${n} report date${n === 1 ? "" : "s"}">`,
  );
  parts.push(`<title>Score and FAIL count per report date</title>`);
  // Grid and left axis (percent).
  for (let p = 0; p <= 100; p += 20) {
    const y = r1(yPct(p));
    parts.push(`<line class="grid" x1="${m.left}" y1="${y}" x2="${width - m.right}" y2="${y}" stroke="#d0d7de" stroke-width="1"/>`);
    parts.push(`<text x="${m.left - 8}" y="${y}" font-size="12" text-anchor="end" dominant-baseline="middle" fill="#424a53">${p}%</text>`);
  }
  // Right axis (FAIL count).
  for (let k = 0; k <= 5; k++) {
    const f = (failMax / 5) * k;
    parts.push(
      `<text x="${width - m.right + 8}" y="${r1(yFail(f))}" font-size="12" dominant-baseline="middle" fill="#cf222e">${f}</text>`,
    );
  }
  parts.push(`<text x="14" y="${m.top + plotH / 2}" font-size="12" fill="#424a53" transform="rotate(-90 14 ${m.top + plotH / 2})" text-anchor="middle">pass %</text>`);
  parts.push(
    `<text x="${width - 12}" y="${m.top + plotH / 2}" font-size="12" fill="#cf222e" transform="rotate(90 ${width - 12} ${m.top + plotH / 2})" text-anchor="middle">FAIL count</text>`,
  );
  // FAIL bars.
  const barW = Math.min(40, slot * 0.5);
  points.forEach((p, i) => {
    const y = yFail(p.score.fail);
    parts.push(
      `<rect class="bar-fail" x="${r1(xOf(i) - barW / 2)}" y="${r1(y)}" width="${r1(barW)}" height="${r1(m.top + plotH - y)}" ` +
        `fill="#cf222e" fill-opacity="0.35"><title>${esc(p.date)}: ${p.score.fail} FAIL on ${p.nodes.length} node${p.nodes.length === 1 ? "" : "s"}</title></rect>`,
    );
  });
  // Target line.
  const yt = r1(yPct(targetPercent));
  parts.push(
    `<line class="target-line" x1="${m.left}" y1="${yt}" x2="${width - m.right}" y2="${yt}" stroke="#1a7f37" stroke-width="1.5" stroke-dasharray="6 4"/>`,
  );
  parts.push(`<text x="${width - m.right - 4}" y="${r1(yPct(targetPercent) - 6)}" font-size="12" text-anchor="end" fill="#1a7f37">target ${targetPercent}%</text>`);
  // Lines.
  const line = (cls: string, color: string, dash: string, pick: (p: TrendPoint) => number | null, label: string): void => {
    const pts = points.map((p, i) => ({ v: pick(p), i, p })).filter((x): x is { v: number; i: number; p: TrendPoint } => x.v !== null);
    if (pts.length > 1) {
      parts.push(
        `<polyline class="${cls}" fill="none" stroke="${color}" stroke-width="2.5"${dash ? ` stroke-dasharray="${dash}"` : ""} ` +
          `points="${pts.map((x) => `${r1(xOf(x.i))},${r1(yPct(x.v))}`).join(" ")}"/>`,
      );
    }
    for (const x of pts) {
      parts.push(
        `<circle class="${cls}-point" cx="${r1(xOf(x.i))}" cy="${r1(yPct(x.v))}" r="4" fill="${color}">` +
          `<title>${esc(x.p.date)}: ${label} ${x.v}%</title></circle>`,
      );
    }
  };
  line("line-automated", "#0969da", "", (p) => p.score.automatedPassPercent, "evaluated checks PASS");
  line("line-raw", "#8250df", "4 3", (p) => p.score.rawPassPercent, "all results PASS");
  // X labels, thinned so they do not overlap.
  const every = Math.max(1, Math.ceil(n / 12));
  points.forEach((p, i) => {
    if (i % every !== 0 && i !== n - 1) return;
    parts.push(`<text class="x-label" x="${r1(xOf(i))}" y="${height - m.bottom + 18}" font-size="12" text-anchor="middle" fill="#424a53">${esc(p.date)}</text>`);
  });
  // Legend.
  const ly = height - 14;
  parts.push(`<g class="legend" font-size="12" fill="#424a53">`);
  parts.push(`<line x1="${m.left}" y1="${ly}" x2="${m.left + 24}" y2="${ly}" stroke="#0969da" stroke-width="2.5"/><text x="${m.left + 30}" y="${ly}" dominant-baseline="middle">evaluated checks PASS %</text>`);
  parts.push(`<line x1="${m.left + 210}" y1="${ly}" x2="${m.left + 234}" y2="${ly}" stroke="#8250df" stroke-width="2.5" stroke-dasharray="4 3"/><text x="${m.left + 240}" y="${ly}" dominant-baseline="middle">all results PASS % (raw)</text>`);
  parts.push(`<rect x="${m.left + 420}" y="${ly - 6}" width="16" height="12" fill="#cf222e" fill-opacity="0.35"/><text x="${m.left + 442}" y="${ly}" dominant-baseline="middle">FAIL count</text>`);
  parts.push(`</g>`);
  if (n === 0) {
    parts.push(`<text x="${width / 2}" y="${height / 2}" text-anchor="middle" fill="#6e7781">no reports</text>`);
  }
  parts.push(`</svg>`);
  return parts.join("\n");
}

function renderCheck(a: Assessment, node: NodeAssessment, r: CheckResult): string {
  const control = controlById(a.benchmark, r.id);
  const critical = node.criticalFailed.includes(r.id);
  const title = control?.title ?? r.description;
  const badges = [`<span class="badge ${r.status}">${r.status}</span>`];
  if (critical) badges.push('<span class="badge critical">critical</span>');
  const facts: string[] = [];
  if (r.expectedResult) facts.push(`<div>expected: <code>${esc(r.expectedResult)}</code></div>`);
  if (r.reason) facts.push(`<div>kube-bench: <code>${esc(r.reason)}</code></div>`);
  const remediation = control?.remediation ?? "";
  return (
    `<div class="check" data-id="${esc(r.id)}">` +
    `<div>${badges.join(" ")} <span class="title">${esc(r.id)} ${esc(title)}</span></div>` +
    (control ? `<div class="muted">${esc(r.description)}</div>` : "") +
    facts.join("") +
    (remediation ? `<div><strong>Remediation:</strong> ${esc(remediation)}</div>` : "") +
    (r.remediation
      ? `<details${remediation ? "" : " open"}><summary>kube-bench remediation</summary><pre>${esc(r.remediation.trim())}</pre></details>`
      : "") +
    `</div>`
  );
}

function renderNode(a: Assessment, n: NodeAssessment, htmlDir?: string): string {
  const failing = n.report.results
    .filter((r) => r.status === "FAIL" || n.criticalFailed.includes(r.id))
    .sort((x, y) => compareIds(x.id, y.id));
  const evaluatedWarn = n.report.results
    .filter((r) => r.status === "WARN" && isEvaluated(r) && !n.criticalFailed.includes(r.id))
    .sort((x, y) => compareIds(x.id, y.id));
  const manual = n.report.results.filter((r) => r.status === "WARN" && !isEvaluated(r));
  const href = evidenceHref(n.report.location, htmlDir);
  const parts: string[] = [];
  parts.push(`<article class="node" id="node-${esc(n.node)}">`);
  parts.push(`<h3>${esc(n.node)}</h3>`);
  parts.push(
    `<p class="meta">report ${esc(formatTime(n.report.time))}${n.report.timeFromName ? "" : " (file modification time)"} · ` +
      `targets ${esc(n.report.targets.join(", "))} · ${n.reportCount} stored report${n.reportCount === 1 ? "" : "s"} · ` +
      `evidence <a href="${esc(href)}">${esc(n.report.location)}</a></p>`,
  );
  parts.push(
    `<table class="node-summary"><thead><tr><th class="num">PASS</th><th class="num">FAIL</th><th class="num">WARN</th>` +
      `<th class="num">INFO</th><th class="num">raw pass %</th><th class="num">evaluated pass %</th></tr></thead>` +
      `<tbody><tr><td class="num">${n.pass}</td><td class="num">${n.fail}</td><td class="num">${n.warn}</td><td class="num">${n.info}</td>` +
      `<td class="num">${formatPercent(n.rawPassPercent)}</td><td class="num">${formatPercent(n.automatedPassPercent)}</td></tr></tbody></table>`,
  );
  if (failing.length === 0) {
    parts.push(`<p>No failing check.</p>`);
  } else {
    parts.push(`<h4>Failing checks (${failing.length})</h4>`);
    parts.push(...failing.map((r) => renderCheck(a, n, r)));
  }
  if (evaluatedWarn.length > 0) {
    parts.push(
      `<details><summary>Evaluated checks that WARN (${evaluatedWarn.length})</summary>` +
        evaluatedWarn.map((r) => renderCheck(a, n, r)).join("") +
        `</details>`,
    );
  }
  if (manual.length > 0) {
    const covered = new Set(n.coveredByPolicy);
    const items = manual
      .sort((x, y) => compareIds(x.id, y.id))
      .map((r) => {
        const title = controlById(a.benchmark, r.id)?.title ?? r.description;
        const tag = covered.has(r.id) ? ' <span class="badge policy">covered by policy pack</span>' : "";
        return `<li>${esc(r.id)} ${esc(title)}${tag}</li>`;
      })
      .join("");
    parts.push(
      `<details><summary>Checks kube-bench does not evaluate, always WARN (${manual.length}; ${n.coveredByPolicy.length} covered by the policy pack)</summary><ul>${items}</ul></details>`,
    );
  }
  parts.push(`</article>`);
  return parts.join("\n");
}

/** Renders the dashboard. */
export function renderHtml(a: Assessment, checklist: readonly ChecklistRow[], options: HtmlOptions): string {
  const htmlDir = options.htmlDir;
  const title = `k3s CIS compliance: ${a.benchmark.id}`;
  const gate = a.gate.passed
    ? `<div class="gate passed" id="gate"><strong>Gate passed</strong></div>`
    : `<div class="gate failed" id="gate"><strong>Gate failed</strong><ul>${a.gate.reasons.map((r) => `<li>${esc(r)}</li>`).join("")}</ul></div>`;
  const c = a.cluster;
  const card = (value: string, label: string): string =>
    `<div class="card"><div class="value">${esc(value)}</div><div class="label">${esc(label)}</div></div>`;
  const notes = a.notes.map((note) => `<p class="muted">Note: ${esc(note)}</p>`).join("\n");
  const counts = { green: 0, red: 0, unknown: 0 };
  for (const r of checklist) counts[r.status]++;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>Compliance dashboard</h1>
<p class="meta">Benchmark ${esc(a.benchmark.id)} (CIS Kubernetes ${esc(a.benchmark.cisVersion)}) · ${a.nodes.length} node${a.nodes.length === 1 ? "" : "s"} · generated ${esc(formatTime(options.generatedAt))}</p>
${gate}
<div class="cards">
${card(`${formatPercent(c.automatedPassPercent)}%`, "evaluated checks PASS (target 80%)")}
${card(`${formatPercent(c.rawPassPercent)}%`, "all results PASS (raw)")}
${card(`${c.fail} / ${a.options.maxFail}`, "FAIL count / limit")}
${card(`${c.pass} · ${c.warn} · ${c.info}`, "PASS · WARN · INFO")}
</div>
${notes}
</header>
<section id="checklist">
<h2>Compliance checklist <span class="muted">(${counts.green} green, ${counts.red} red, ${counts.unknown} unknown)</span></h2>
${renderChecklist(checklist, htmlDir)}
</section>
<section id="trend">
<h2>Trend over ${a.trend.length} report date${a.trend.length === 1 ? "" : "s"}</h2>
<div class="chart">
${renderTrendChart(a.trend)}
</div>
</section>
<section id="nodes">
<h2>Nodes</h2>
${a.nodes.map((n) => renderNode(a, n, htmlDir)).join("\n")}
</section>
<footer>
<p>Scores: raw pass % = PASS / (PASS + FAIL + WARN + INFO); evaluated pass % = PASS / evaluated results, those whose
kube-bench type is empty and that have tests (manual checks and checks without tests always WARN, skipped checks are
INFO, so they are left out). A node is scored on its newest report; the
cluster on the sum of the nodes' counts. Trend: one point per UTC day with reports, each node's newest report of that day.</p>
<p>Gate: fails when the cluster FAIL count reaches ${a.options.maxFail}, when a critical control FAILs or WARNs although
evaluated on any node, or ${a.options.maxAgeDays > 0 ? `when a node's newest report is older than ${a.options.maxAgeDays} days` : "(age check off)"}.</p>
</footer>
</body>
</html>
`;
}
