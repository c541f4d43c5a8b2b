// The report command on reports of every supported profile, labelled as their check files label them
// (kube-bench's "k3s-cis-1.9", security-scan's "cis-1.12"), scored against the right catalog entries.
import { strict as assert } from "assert";
import { SUPPORTED_BENCHMARKS, controlByTopic } from "../../../components/cis";
import { ReportInputError } from "../../../report/errors";
import { selectBenchmark } from "../../../report/load";
import { assess } from "../../../report/score";
import { AGENT_TARGETS, SERVER_TARGETS } from "../../fixtures/kube-bench/build";
import { DAY_MS, bench, report } from "./helpers";

const T0 = new Date("2026-11-22T02:00:00Z");
const options = { maxFail: 5, maxAgeDays: 8, now: new Date(T0.getTime() + DAY_MS) };

describe("report on every profile", () => {
  for (const id of SUPPORTED_BENCHMARKS) {
    it(`${id}: finds the profile from the reports' label "${bench(id).source.versionLabel}" and gates on its critical ids`, () => {
      const b = bench(id);
      const anonymous = controlByTopic(b, "api.anonymous-auth")!;
      const reports = [
        report(b, "server-1", T0, { targets: SERVER_TARGETS, failing: new Set([anonymous.id]) }),
        report(b, "agent-1", T0, { targets: AGENT_TARGETS }),
      ];
      assert.equal(reports[0].benchmark, b.source.versionLabel);
      const chosen = selectBenchmark(reports);
      assert.equal(chosen.benchmark.id, id);
      assert.equal(selectBenchmark(reports, id).reports.length, 2, "--benchmark takes the profile id");
      const a = assess(chosen.reports, chosen.benchmark, options);
      assert.equal(a.gate.passed, false);
      assert.ok(a.gate.reasons.some((r) => r.includes(anonymous.id)), a.gate.reasons.join("\n"));
      const clean = assess([report(b, "server-1", T0, { targets: SERVER_TARGETS }), report(b, "agent-1", T0, { targets: AGENT_TARGETS })], b, options);
      assert.equal(clean.gate.passed, true, clean.gate.reasons.join("\n"));
    });
  }

  it("k3s-cis-1.12 reports carry the renumbered ids (5.6.x, 5.2.9 capabilities) and 1.2.30", () => {
    const b = bench("k3s-cis-1.12");
    const r = report(b, "server-1", T0, { targets: SERVER_TARGETS, failing: new Set(["1.2.30"]) });
    const ids = new Set(r.results.map((x) => x.id));
    for (const want of ["1.2.30", "5.6.4", "5.2.12"]) assert.ok(ids.has(want), want);
    for (const gone of ["5.7.4", "5.2.13"]) assert.ok(!ids.has(gone), gone);
    const a = assess([r], b, options);
    assert.equal(a.nodes[0].fail, 1, "1.2.30 is scored in 1.12: its failure is a FAIL");
  });

  it("refuses security-scan's own k3s-cis-1.9 label, saying why", () => {
    const r = report(bench("k3s-cis-1.9"), "server-1", T0, { targets: SERVER_TARGETS, version: "cis-1.9" });
    assert.throws(
      () => selectBenchmark([r]),
      (e: unknown) => e instanceof ReportInputError && /"cis-1\.9" is not one this project catalogs .*security-scan's k3s-cis-1\.9/.test(e.message),
    );
  });
});

describe("reports from the future", () => {
  it("a report dated after now (beyond the clock skew) fails the gate and is not scored, so it cannot stand in for a real newest one", () => {
    const b = bench("k3s-cis-1.12");
    const anonymous = controlByTopic(b, "api.anonymous-auth")!;
    const real = report(b, "server-1", T0, { targets: SERVER_TARGETS, failing: new Set([anonymous.id]) });
    const forged = report(b, "server-1", new Date("2099-12-31T23:59:59Z"), { targets: SERVER_TARGETS });
    const a = assess([real, forged], b, options);
    assert.equal(a.gate.passed, false);
    assert.ok(a.gate.reasons.some((r) => /20991231T235959Z\.json: dated .*after now .* clock skew .*not scored/.test(r)), a.gate.reasons.join("\n"));
    assert.equal(a.nodes[0].report, real, "the real report is scored");
    assert.ok(a.gate.reasons.some((r) => r.includes(anonymous.id)), "and its critical failure still counts");
    // Within the skew (a node clock a few minutes ahead) is fine.
    const ahead = report(b, "server-1", new Date(options.now.getTime() + 5 * 60_000), { targets: SERVER_TARGETS });
    assert.equal(assess([ahead], b, options).gate.passed, true);
  });
});
