import { strict as assert } from "assert";
import { readFileSync } from "fs";
import { Control, criticalControls } from "../../../components/cis";
import { parseKubeBenchJson } from "../../../report/parse";
import {
  GateOptions,
  NO_TESTS_REASONS,
  assess,
  buildTrend,
  compareIds,
  isEvaluated,
  percent,
  scoreResults,
  toJsonReport,
} from "../../../report/score";
import { AGENT_TARGETS, SERVER_TARGETS } from "../../fixtures/kube-bench/build";
import { DAY_MS, bench, fixture, report } from "./helpers";

const b = bench("k3s-cis-1.7");
const T0 = new Date("2026-11-22T02:00:00Z");
const options = (over: Partial<GateOptions> = {}): GateOptions => ({ maxFail: 5, maxAgeDays: 8, now: new Date(T0.getTime() + DAY_MS), ...over });

/** Non-critical, scored, evaluated controls of a target: failing them adds FAILs without tripping the critical rule. */
function ordinary(target: Control["target"]): Control[] {
  const critical = new Set(criticalControls(b).map((c) => c.id));
  return b.controls.filter((c) => c.target === target && c.kind === "automated" && c.scored && !critical.has(c.id));
}

describe("report/score", () => {
  it("rounds percentages to one decimal and has none for an empty denominator", () => {
    assert.equal(percent(2, 3), 66.7);
    assert.equal(percent(1, 8), 12.5);
    assert.equal(percent(5, 5), 100);
    assert.equal(percent(0, 0), null);
  });

  it("orders CIS ids by their numeric parts", () => {
    assert.deepEqual(["1.2.10", "1.2.9", "4.1", "1.10.1", "1.2.1", "2"].sort(compareIds), ["1.2.1", "1.2.9", "1.2.10", "1.10.1", "2", "4.1"]);
  });

  it("scores raw over all results and automated over evaluated results only", () => {
    const parsed = parseKubeBenchJson(readFileSync(fixture("shapes", "totals.json"), "utf8"), "totals.json");
    const s = scoreResults(parsed.results);
    assert.deepEqual(
      { pass: s.pass, fail: s.fail, warn: s.warn, info: s.info, total: s.total, evaluated: s.evaluated, evaluatedPass: s.evaluatedPass },
      { pass: 2, fail: 1, warn: 1, info: 1, total: 5, evaluated: 3, evaluatedPass: 2 },
    );
    assert.equal(s.rawPassPercent, 40);
    assert.equal(s.automatedPassPercent, 66.7);
  });

  it("leaves manual, skipped and test-less checks out of the evaluated ones", () => {
    const r = report(b, "server-1", T0, { targets: SERVER_TARGETS });
    const s = scoreResults(r.results);
    const evaluated = r.results.filter((x) => x.type === "" && !NO_TESTS_REASONS.includes(x.reason));
    assert.equal(s.evaluated, evaluated.length);
    assert.ok(r.results.some((x) => x.type === "" && x.status === "WARN" && !isEvaluated(x)), "fixture has a check without tests");
    assert.equal(s.automatedPassPercent, 100, "every evaluated check passes");
    assert.ok((s.rawPassPercent as number) < 80, "manual WARNs keep the raw figure low");
    assert.equal(s.rawPassPercent, percent(s.pass, r.results.length));
  });

  it("scores each node on its newest report and the cluster on the summed counts", () => {
    const failing = new Set(ordinary("node").slice(0, 2).map((c) => c.id));
    const reports = [
      report(b, "server-1", new Date(T0.getTime() - 7 * DAY_MS), { targets: SERVER_TARGETS, failing }),
      report(b, "server-1", T0, { targets: SERVER_TARGETS }),
      report(b, "agent-1", T0, { targets: AGENT_TARGETS, failing }),
    ];
    const a = assess(reports, b, options());
    assert.deepEqual(a.nodes.map((n) => n.node), ["agent-1", "server-1"]);
    const [agent, server] = a.nodes;
    assert.equal(server.report.time.getTime(), T0.getTime());
    assert.equal(server.reportCount, 2);
    assert.equal(server.fail, 0);
    assert.equal(agent.fail, 2);
    assert.deepEqual(agent.failed, [...failing].sort(compareIds));
    assert.equal(a.cluster.pass, agent.pass + server.pass);
    assert.equal(a.cluster.fail, 2);
    assert.equal(a.cluster.automatedPassPercent, percent(agent.evaluatedPass + server.evaluatedPass, agent.evaluated + server.evaluated));
    assert.notEqual(a.cluster.automatedPassPercent, ((agent.automatedPassPercent as number) + (server.automatedPassPercent as number)) / 2);
  });

  describe("gate", () => {
    it("passes a clean, fresh cluster although critical manual checks WARN", () => {
      const a = assess([report(b, "server-1", T0, { targets: SERVER_TARGETS })], b, options());
      const manualCritical = criticalControls(b).filter((c) => c.kind === "manual");
      assert.ok(manualCritical.length > 0, "the catalog has manual critical controls");
      assert.deepEqual(a.gate, { passed: true, reasons: [] });
    });

    it("fails when the cluster FAIL count reaches --max-fail, not before", () => {
      const ids = ordinary("node").map((c) => c.id);
      assert.ok(ids.length >= 3);
      const nodes = (n: number) => [
        report(b, "agent-1", T0, { targets: AGENT_TARGETS, failing: new Set(ids.slice(0, 2)) }),
        report(b, "agent-2", T0, { targets: AGENT_TARGETS, failing: new Set(ids.slice(0, n - 2)) }),
      ];
      const below = assess(nodes(4), b, options({ maxFail: 5 }));
      assert.equal(below.cluster.fail, 4);
      assert.equal(below.gate.passed, true);
      const at = assess(nodes(5), b, options({ maxFail: 5 }));
      assert.equal(at.cluster.fail, 5);
      assert.deepEqual(at.gate.reasons, ["cluster FAIL count 5 reaches the limit of 5 (--max-fail)"]);
    });

    it("fails when a critical control FAILs on any node", () => {
      const critical = criticalControls(b).find((c) => c.kind === "automated" && c.scored && c.target === "node");
      assert.ok(critical, "the catalog has a scored automated critical node control");
      const a = assess(
        [
          report(b, "agent-1", T0, { targets: AGENT_TARGETS }),
          report(b, "agent-2", T0, { targets: AGENT_TARGETS, failing: new Set([critical.id]) }),
        ],
        b,
        options(),
      );
      assert.equal(a.gate.passed, false);
      assert.deepEqual(a.gate.reasons, [`critical control ${critical.id} (${critical.title}) FAILs on agent-2`]);
      assert.deepEqual(a.nodes[1].criticalFailed, [critical.id]);
      assert.deepEqual(a.nodes[0].criticalFailed, []);
    });

    it("fails when an evaluated critical control WARNs (kube-bench's unscored checks never FAIL)", () => {
      const critical = criticalControls(b).find((c) => c.kind === "automated" && !c.scored);
      assert.ok(critical, "the catalog has an unscored automated critical control");
      const r = report(b, "server-1", T0, { targets: SERVER_TARGETS, failing: new Set([critical.id]) });
      assert.equal(r.results.find((x) => x.id === critical.id)?.status, "WARN");
      const a = assess([r], b, options());
      assert.equal(a.cluster.fail, 0);
      assert.deepEqual(a.gate.reasons, [`critical control ${critical.id} (${critical.title}) WARNs on server-1 although kube-bench evaluates it`]);
      assert.deepEqual(toJsonReport(a).nodes[0].criticalFailed, [critical.id]);
    });

    it("fails when a node's newest report is older than --max-age-days; 0 turns the check off", () => {
      const reports = [
        report(b, "server-1", T0, { targets: SERVER_TARGETS }),
        report(b, "agent-1", new Date(T0.getTime() - 2 * DAY_MS), { targets: AGENT_TARGETS }),
      ];
      const exactly = assess(reports, b, options({ now: new Date(T0.getTime() + 6 * DAY_MS) }));
      assert.equal(exactly.gate.passed, true, "8 days old is not older than 8 days");
      const late = assess(reports, b, options({ now: new Date(T0.getTime() + 6 * DAY_MS + 60_000) }));
      assert.deepEqual(late.gate.reasons, [
        "newest report of agent-1 is from 2026-11-20T02:00:00Z, 8.0 days old (limit 8 days, --max-age-days)",
      ]);
      const off = assess(reports, b, options({ maxAgeDays: 0, now: new Date(T0.getTime() + 365 * DAY_MS) }));
      assert.equal(off.gate.passed, true);
    });

    it("lists every reason, in order: FAIL count, critical controls, age", () => {
      const critical = criticalControls(b).find((c) => c.kind === "automated" && c.scored && c.target === "node");
      assert.ok(critical);
      const failing = new Set([critical.id, ...ordinary("node").map((c) => c.id)]);
      const a = assess([report(b, "agent-1", T0, { targets: AGENT_TARGETS, failing })], b, options({ now: new Date(T0.getTime() + 30 * DAY_MS) }));
      assert.equal(a.gate.reasons.length, 3);
      assert.match(a.gate.reasons[0], /^cluster FAIL count/);
      assert.match(a.gate.reasons[1], /^critical control/);
      assert.match(a.gate.reasons[2], /^newest report of agent-1/);
    });
  });

  it("notes critical controls that no report holds", () => {
    const a = assess([report(b, "agent-1", T0, { targets: AGENT_TARGETS })], b, options());
    assert.equal(a.notes.length, 1);
    const missing = criticalControls(b).filter((c) => c.target !== "node").map((c) => c.id);
    for (const id of missing) assert.ok(a.notes[0].includes(id), id);
  });

  it("builds one trend point per UTC day from each node's newest report of that day", () => {
    const failing = new Set(ordinary("node").slice(0, 1).map((c) => c.id));
    const week2 = new Date(T0.getTime() + 7 * DAY_MS);
    const trend = buildTrend([
      report(b, "agent-1", T0, { targets: AGENT_TARGETS, failing }),
      report(b, "agent-2", new Date(T0.getTime() + 60_000), { targets: AGENT_TARGETS, failing }),
      report(b, "agent-1", week2, { targets: AGENT_TARGETS, failing }),
      report(b, "agent-1", new Date(week2.getTime() + 3_600_000), { targets: AGENT_TARGETS }),
    ]);
    assert.deepEqual(trend.map((p) => [p.date, p.nodes, p.score.fail]), [
      ["2026-11-22", ["agent-1", "agent-2"], 2],
      ["2026-11-29", ["agent-1"], 0],
    ]);
  });

  it("maps to the JSON document, keys in the documented order", () => {
    const failing = new Set(ordinary("node").slice(0, 2).map((c) => c.id));
    const a = assess([report(b, "agent-1", T0, { targets: AGENT_TARGETS, failing })], b, options());
    const doc = toJsonReport(a);
    assert.deepEqual(Object.keys(doc), ["benchmark", "nodes", "cluster", "gate"]);
    assert.deepEqual(Object.keys(doc.nodes[0]), [
      "node",
      "benchmark",
      "reportTime",
      "pass",
      "fail",
      "warn",
      "info",
      "rawPassPercent",
      "automatedPassPercent",
      "failed",
      "criticalFailed",
    ]);
    assert.deepEqual(Object.keys(doc.cluster), ["pass", "fail", "warn", "info", "rawPassPercent", "automatedPassPercent"]);
    assert.deepEqual(Object.keys(doc.gate), ["passed", "reasons"]);
    assert.equal(doc.benchmark, "k3s-cis-1.7");
    assert.equal(doc.nodes[0].reportTime, "2026-11-22T02:00:00Z");
    assert.deepEqual(doc.nodes[0].failed, [...failing].sort(compareIds));
  });
});
