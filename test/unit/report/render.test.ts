import { strict as assert } from "assert";
import * as path from "path";
import { controlByTopic } from "../../../components/cis";
import { GUIDE_CHECKLIST, evaluateChecklist } from "../../../report/checklist";
import { escapeHtml, evidenceHref, renderHtml, renderTrendChart } from "../../../report/html";
import { loadLocalReports, selectBenchmark } from "../../../report/load";
import { Assessment, GateOptions, assess, buildTrend } from "../../../report/score";
import { columns, formatPercent, renderTable } from "../../../report/table";
import { AGENT_TARGETS, SERVER_TARGETS } from "../../fixtures/kube-bench/build";
import { DAY_MS, DEMO_NOW, bench, fixture, report } from "./helpers";

const b = bench("k3s-cis-1.7");
const T0 = new Date("2026-11-22T02:00:00Z");
const opts: GateOptions = { maxFail: 5, maxAgeDays: 8, now: new Date(T0.getTime() + DAY_MS) };

async function demo(over: Partial<GateOptions> = {}): Promise<Assessment> {
  const { benchmark, reports } = selectBenchmark(await loadLocalReports([fixture("cluster")]));
  return assess(reports, benchmark, { maxFail: 5, maxAgeDays: 8, now: DEMO_NOW, ...over });
}

describe("report/table", () => {
  it("formats percentages and aligns columns", () => {
    assert.equal(formatPercent(null), "-");
    assert.equal(formatPercent(100), "100.0");
    assert.deepEqual(columns(["A", "NUM"], [["long", "1"], ["x", "123"]], new Set([1])), ["A     NUM", "long    1", "x     123"]);
  });

  it("prints every node, the cluster, the failing checks and the gate", async () => {
    const a = await demo();
    const text = renderTable(a, evaluateChecklist(a));
    assert.match(text, /^kube-bench compliance report: k3s-cis-1\.7, 3 nodes\n/);
    for (const n of a.nodes) {
      assert.match(text, new RegExp(`^${n.node}\\s+2026-11-22T02:00:00Z\\s+${n.pass}\\s+${n.fail}\\s+${n.warn}\\s+${n.info}\\s`, "m"));
    }
    const c = a.cluster;
    assert.match(text, new RegExp(`^CLUSTER\\s+${c.pass}\\s+${c.fail}\\s+${c.warn}\\s+${c.info}\\s+${formatPercent(c.rawPassPercent)}\\s+${formatPercent(c.automatedPassPercent)}$`, "m"));
    assert.match(text, /^Failing checks:$/m);
    assert.match(text, /^Checklist:$/m);
    assert.match(text, /\nGate: PASSED\n$/);
  });

  it("lists the gate's reasons when it fails", async () => {
    const a = await demo({ maxFail: 1 });
    assert.match(renderTable(a), /\nGate: FAILED\n  - cluster FAIL count 2 reaches the limit of 1 \(--max-fail\)\n$/);
  });

  it("marks report times taken from the file's modification time", () => {
    const r = { ...report(b, "agent-1", T0, { targets: AGENT_TARGETS }), timeFromName: false };
    const text = renderTable(assess([r], b, opts));
    assert.match(text, /^agent-1\s+2026-11-22T02:00:00Z\*/m);
    assert.match(text, /^\* time from the file's modification time/m);
  });
});

describe("report/html", () => {
  it("escapes text", () => {
    assert.equal(escapeHtml(`<a href="x">'&'</a>`), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  });

  it("links local evidence relative to the HTML file and keeps s3 URIs", () => {
    assert.equal(evidenceHref("s3://evidence/kube-bench/prod/a/20261122T020000Z.json", "/tmp"), "s3://evidence/kube-bench/prod/a/20261122T020000Z.json");
    const file = path.resolve("reports/server 1/20261122T020000Z.json");
    assert.equal(evidenceHref(file, path.resolve("out")), "../reports/server%201/20261122T020000Z.json");
  });

  it("is one self-contained page: no script, no external resource, a CSP that forbids loading", async () => {
    const a = await demo();
    const html = renderHtml(a, evaluateChecklist(a), { generatedAt: DEMO_NOW, htmlDir: fixture() });
    assert.match(html, /^<!DOCTYPE html>/);
    assert.match(html, /Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"/);
    assert.doesNotMatch(html, /<script|<link|<img|<iframe|@import|url\(/i);
    assert.doesNotMatch(html, /\ssrc=/i);
    // The only absolute URL is the SVG namespace.
    assert.deepEqual([...new Set(html.match(/https?:\/\/[^\s"'<>]+/g))], ["http://www.w3.org/2000/svg"]);
  });

  it("renders the checklist rows, the gate, the chart and each node's failing checks with remediation", async () => {
    const a = await demo();
    const rows = evaluateChecklist(a);
    const html = renderHtml(a, rows, { generatedAt: DEMO_NOW, htmlDir: fixture() });
    assert.equal(html.match(/<tr class="checklist-row"/g)?.length, GUIDE_CHECKLIST.length);
    for (const r of rows) {
      assert.ok(html.includes(`<td>${escapeHtml(r.control)}</td>`), r.control);
    }
    assert.match(html, /<tr class="checklist-row" data-status="unknown"><td>MFA for admins<\/td>/);
    assert.match(html, /<div class="gate passed" id="gate">/);
    assert.match(html, /<svg id="trend-chart"/);
    assert.equal(html.match(/<rect class="bar-fail"/g)?.length, 5);
    assert.match(html, /<polyline class="line-automated"/);
    for (const n of a.nodes) assert.ok(html.includes(`<article class="node" id="node-${n.node}">`), n.node);
    const iptables = controlByTopic(b, "kubelet.make-iptables-util-chains");
    assert.ok(iptables);
    assert.ok(html.includes(`<div class="check" data-id="${iptables.id}">`));
    assert.ok(html.includes(`<strong>Remediation:</strong> ${escapeHtml(iptables.remediation)}`));
    assert.ok(html.includes('href="cluster/server-1/20261122T020000Z.json"'), "evidence links are relative to the page");
  });

  it("shows the failed gate's reasons", async () => {
    const a = await demo({ now: new Date(DEMO_NOW.getTime() + 30 * DAY_MS) });
    const html = renderHtml(a, evaluateChecklist(a), { generatedAt: DEMO_NOW });
    assert.match(html, /<div class="gate failed" id="gate"><strong>Gate failed<\/strong><ul><li>newest report of agent-1 is from/);
  });

  it("draws a single point and an empty chart without failing", () => {
    const one = renderTrendChart(buildTrend([report(b, "server-1", T0, { targets: SERVER_TARGETS })]));
    assert.equal(one.match(/<circle class="line-automated-point"/g)?.length, 1);
    assert.doesNotMatch(one, /<polyline/);
    assert.match(renderTrendChart([]), /no reports/);
  });
});
