import { strict as assert } from "assert";
import { SUPPORTED_BENCHMARKS, TOPICS, controlByTopic, criticalControls, getBenchmark } from "../../../components/cis";
import { ChecklistRow, GUIDE_CHECKLIST, NOT_MEASURED, evaluateChecklist } from "../../../report/checklist";
import { POLICY_PACK_TOPICS, policyPackControls, topicMatches } from "../../../report/policy-coverage";
import { GateOptions, assess } from "../../../report/score";
import { AGENT_TARGETS, SERVER_TARGETS } from "../../fixtures/kube-bench/build";
import { DAY_MS, bench, report } from "./helpers";

const b = bench("k3s-cis-1.7");
const T0 = new Date("2026-11-22T02:00:00Z");
const opts: GateOptions = { maxFail: 5, maxAgeDays: 8, now: new Date(T0.getTime() + DAY_MS) };

function row(rows: ChecklistRow[], control: string): ChecklistRow {
  const found = rows.find((r) => r.control === control);
  assert.ok(found, `no checklist row ${control}`);
  return found;
}

describe("report/policy-coverage", () => {
  it("matches topic prefixes and exact topics", () => {
    assert.ok(topicMatches("pod.*", "pod.privileged"));
    assert.ok(!topicMatches("pod.*", "podx.privileged"));
    assert.ok(topicMatches("secrets.as-env", "secrets.as-env"));
    assert.ok(!topicMatches("secrets.as-env", "secrets.external-storage"));
  });

  it("names only existing topics, each matching at least one", () => {
    for (const pattern of POLICY_PACK_TOPICS) {
      assert.ok(TOPICS.some((t) => topicMatches(pattern, t)), pattern);
    }
  });

  it("covers only section-5 (policies) controls, in every benchmark", () => {
    for (const id of SUPPORTED_BENCHMARKS) {
      const covered = policyPackControls(getBenchmark(id));
      assert.ok(covered.length > 0, id);
      assert.ok(covered.every((c) => c.target === "policies"), id);
      assert.ok(!covered.some((c) => c.topic === "secrets.external-storage"), "external secret storage is not enforced");
    }
  });

  it("claims exactly the controls the pack's rules enforce", () => {
    assert.ok(POLICY_PACK_TOPICS.includes("pod.privileged"));
    assert.ok(POLICY_PACK_TOPICS.includes("network.policies"), "stack rules count too");
    for (const notEnforced of ["pod.windows-host-process", "pod.capabilities-all"] as const) {
      assert.ok(!POLICY_PACK_TOPICS.includes(notEnforced), `${notEnforced} has no rule in the pack`);
    }
  });
});

describe("report/checklist", () => {
  it("has the guide's rows, and rows the scan cannot prove are unknown, never green", () => {
    const a = assess([report(b, "server-1", T0, { targets: SERVER_TARGETS })], b, opts);
    const rows = evaluateChecklist(a);
    assert.equal(rows.length, GUIDE_CHECKLIST.length);
    for (const control of [
      "All images signed",
      "Secrets in Vault (not Secrets)",
      "MFA for admins",
      "Falco active on all nodes",
      "SBOM for all prod images",
    ]) {
      const r = row(rows, control);
      assert.equal(r.status, "unknown", control);
      assert.equal(r.detail, NOT_MEASURED);
      assert.deepEqual(r.evidence, []);
    }
  });

  it("is green for topics whose checks PASS on every node, with the reports as evidence", () => {
    const reports = [report(b, "server-1", T0, { targets: SERVER_TARGETS }), report(b, "agent-1", T0, { targets: AGENT_TARGETS })];
    const rows = evaluateChecklist(assess(reports, b, opts));
    const anon = row(rows, "Anonymous auth disabled");
    assert.equal(anon.status, "green");
    assert.deepEqual(anon.evidence.map((e) => e.location).sort(), reports.map((r) => r.location).sort());
    assert.equal(row(rows, "Audit logging enabled").status, "green");
    assert.equal(row(rows, "kube-bench score ≥ 80%").status, "green");
    assert.equal(row(rows, "kube-bench FAIL count under the limit").status, "green");
    assert.equal(row(rows, "Weekly kube-bench reports stored").status, "green");
  });

  it("is red when a check of the row FAILs on a node, naming the check and the node", () => {
    const kubeletAnon = controlByTopic(b, "kubelet.anonymous-auth");
    assert.ok(kubeletAnon);
    const reports = [
      report(b, "server-1", T0, { targets: SERVER_TARGETS }),
      report(b, "agent-1", T0, { targets: AGENT_TARGETS, failing: new Set([kubeletAnon.id]) }),
    ];
    const rows = evaluateChecklist(assess(reports, b, opts));
    const anon = row(rows, "Anonymous auth disabled");
    assert.equal(anon.status, "red");
    assert.equal(anon.detail, `FAIL: ${kubeletAnon.id} on agent-1`);
    const crit = row(rows, "Critical controls passing");
    assert.equal(crit.status, "red");
    assert.deepEqual(crit.evidence.map((e) => e.node), ["agent-1"]);
  });

  it("shows manual section-5 controls the policy pack enforces as covered, status unknown", () => {
    const rows = evaluateChecklist(assess([report(b, "server-1", T0, { targets: SERVER_TARGETS })], b, opts));
    const privileged = controlByTopic(b, "pod.privileged");
    assert.ok(privileged && privileged.kind === "manual");
    const r = row(rows, "No privileged pods");
    assert.equal(r.status, "unknown");
    assert.deepEqual(r.coveredByPolicyPack, [privileged.id]);
    assert.match(r.detail, /covered by the policy pack/);
    const crit = row(rows, "Critical controls passing");
    assert.equal(crit.status, "unknown", "manual critical controls are not proven by the scan");
    const manualCritical = criticalControls(b).filter((c) => c.kind === "manual").map((c) => c.id);
    assert.deepEqual(crit.coveredByPolicyPack, manualCritical);
  });

  it("is unknown when no report holds the row's checks", () => {
    const rows = evaluateChecklist(assess([report(b, "agent-1", T0, { targets: AGENT_TARGETS })], b, opts));
    const audit = row(rows, "Audit logging enabled");
    assert.equal(audit.status, "unknown");
    assert.match(audit.detail, /in no node's newest report$/);
    assert.deepEqual(audit.evidence, []);
  });

  it("turns the score, FAIL count and freshness rows red with the gate's numbers", () => {
    const failing = new Set(
      b.controls.filter((c) => c.target === "node" && c.kind === "automated" && c.scored).map((c) => c.id),
    );
    const a = assess([report(b, "agent-1", T0, { targets: AGENT_TARGETS, failing })], b, {
      maxFail: 3,
      maxAgeDays: 8,
      now: new Date(T0.getTime() + 10 * DAY_MS),
    });
    const rows = evaluateChecklist(a);
    assert.equal(row(rows, "kube-bench score ≥ 80%").status, "red");
    const fails = row(rows, "kube-bench FAIL count under the limit");
    assert.equal(fails.status, "red");
    assert.equal(fails.target, "FAIL < 3");
    const fresh = row(rows, "Weekly kube-bench reports stored");
    assert.equal(fresh.status, "red");
    assert.equal(fresh.detail, "stale: agent-1 (10.0 days)");
    const off = evaluateChecklist({ ...a, options: { ...a.options, maxAgeDays: 0 } });
    assert.equal(row(off, "Weekly kube-bench reports stored").status, "unknown");
  });
});
