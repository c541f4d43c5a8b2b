import assert from "node:assert/strict";
import { getBenchmark, SUPPORTED_BENCHMARKS } from "../../../components/cis";
import {
  compare,
  effectiveArgs,
  evaluateFlagCheck,
  findFlagValue,
  journalLine,
  predictControl,
  predictNode,
  predictPolicies,
} from "../../../components/k3s/evaluate";
import { agentConfigDocument, serverConfigDocument } from "../../../components/k3s/render";
import { config } from "../helpers";

describe("kube-bench prediction semantics", () => {
  it("finds a flag's value after = up to white space, and a bare flag as true", () => {
    assert.deepEqual(findFlagValue("Running kubelet --read-only-port=0 --x=y", "--read-only-port"), { found: true, value: "0" });
    assert.deepEqual(findFlagValue("Running kube-apiserver --allow-privileged --x=1", "--allow-privileged"), { found: true, value: "true" });
    assert.deepEqual(findFlagValue("Running kubelet --x=y", "--read-only-port"), { found: false, value: "" });
  });

  it("matches flags by substring, as kube-bench does", () => {
    // kube-bench greps; a longer flag that starts with the name counts as the flag, with the longer flag's text.
    assert.deepEqual(findFlagValue("Running kubelet --read-only-port-x=5", "--read-only-port"), { found: true, value: "-x=5" });
  });

  it("implements kube-bench's operators; unknown ones never pass", () => {
    assert.equal(compare("eq", "FALSE", "false"), true);
    assert.equal(compare("noteq", "0", "0"), false);
    assert.equal(compare("gte", "30", "30"), true);
    assert.equal(compare("gte", "abc", "30"), false);
    assert.equal(compare("has", "NodeRestriction,EventRateLimit", "EventRateLimit"), true);
    assert.equal(compare("nothave", "Node,RBAC", "AlwaysAllow"), true);
    assert.equal(compare("valid_elements", "A,B", "A,B,C"), true);
    assert.equal(compare("valid_elements", "A,D", "A,B,C"), false);
    assert.equal(compare("bitmask", "644", "600"), false);
    assert.equal(compare("bitmask", "600", "644"), true);
    assert.equal(compare("noteqx", "5m", "0"), false);
  });

  it("combines items with bin_op", () => {
    const check = {
      kind: "flag" as const,
      component: "kubelet" as const,
      binOp: "or" as const,
      items: [
        { flag: "--read-only-port", set: true, compare: { op: "eq" as const, value: "0" } },
        { flag: "--read-only-port", set: false },
      ],
    };
    assert.equal(evaluateFlagCheck(check, "Running kubelet --read-only-port=0").pass, true);
    assert.equal(evaluateFlagCheck(check, "Running kubelet --x=1").pass, true);
    assert.equal(evaluateFlagCheck(check, "Running kubelet --read-only-port=10255").pass, false);
    assert.equal(evaluateFlagCheck({ ...check, binOp: "and" }, "Running kubelet --read-only-port=0").pass, false);
  });

  it("rebuilds k3s's journal line: defaults replaced by name=value, sorted", () => {
    const line = journalLine("apiserver", { "kube-apiserver-arg": ["enable-admission-plugins=NodeRestriction,EventRateLimit"] });
    assert.match(line, /^Running kube-apiserver /);
    assert.match(line, /--enable-admission-plugins=NodeRestriction,EventRateLimit( |$)/);
    assert.doesNotMatch(line, /--enable-admission-plugins=NodeRestriction /);
    assert.match(line, /--anonymous-auth=false/, "k3s default kept");
  });

  it("puts k3s's value first for name+=value, so kube-bench sees k3s's value", () => {
    const args = effectiveArgs("apiserver", { "kube-apiserver-arg": ["enable-admission-plugins+=EventRateLimit"] });
    const values = args.filter(([k]) => k === "enable-admission-plugins").map(([, v]) => v);
    assert.deepEqual(values, ["NodeRestriction", "EventRateLimit"]);
    assert.equal(findFlagValue(journalLine("apiserver", { "kube-apiserver-arg": ["enable-admission-plugins+=EventRateLimit"] }), "--enable-admission-plugins").value, "NodeRestriction");
  });

  it("adds the encryption provider flag when secrets encryption is on", () => {
    assert.match(journalLine("apiserver", { "secrets-encryption": true }), /--encryption-provider-config=/);
    assert.doesNotMatch(journalLine("apiserver", {}), /--encryption-provider-config=/);
  });
});

describe("prediction per profile: what decides each check", () => {
  const b112 = getBenchmark("k3s-cis-1.12");
  const scanPod = { name: "Job kube-bench/kube-bench-cp-1", hostPID: true, containers: [{ name: "kube-bench", securityContext: { allowPrivilegeEscalation: false } }] };

  for (const id of SUPPORTED_BENCHMARKS) {
    it(`${id}: with the defaults every scored automated check decided by the config passes, except the opt-in encryption`, () => {
      const c = config({ benchmark: id });
      const bench = getBenchmark(id);
      const preds = [...predictNode(bench, "server", serverConfigDocument(c, c.nodes[0], true)), ...predictNode(bench, "agent", agentConfigDocument(c, c.nodes[3]))];
      const optIn = new Set(bench.controls.filter((x) => x.topic === "api.encryption-provider-config").map((x) => x.id));
      const bad = preds.filter((p) => {
        const control = bench.controls.find((x) => x.id === p.id)!;
        return control.scored && control.kind === "automated" && p.decidedBy === "config" && p.status !== "PASS" && !optIn.has(p.id);
      });
      assert.deepEqual(bad, []);
    });
  }

  it("names the decider of every check that is not predicted", () => {
    const c = config();
    const preds = [...predictNode(b112, "server", serverConfigDocument(c, c.nodes[0], true)), ...predictPolicies(b112, { defaultServiceAccountsLocked: false })];
    const by = (id: string) => preds.find((p) => p.id === id)!;
    assert.equal(by("1.1.20").decidedBy, "node"); // certificate file modes
    assert.equal(by("2.2").decidedBy, "node"); // k3s writes etcd's config
    assert.equal(by("1.2.30").decidedBy, "config");
    assert.equal(by("1.2.30").status, "PASS");
    assert.deepEqual([by("5.1.2").status, by("5.1.2").decidedBy], ["UNKNOWN", "cluster"]);
    assert.deepEqual([by("5.1.5").status, by("5.1.5").decidedBy], ["UNKNOWN", "stack"]);
    // Automated without a test: kube-bench reports WARN.
    assert.deepEqual([by("5.6.4").status, by("5.6.4").decidedBy], ["WARN", "nothing"]);
    for (const p of preds.filter((x) => x.status === "UNKNOWN")) assert.notEqual(p.decidedBy, "config", p.id);
  });

  it("5.1.5 passes when the stack locks every default ServiceAccount (scored in 1.9, unscored from 1.11)", () => {
    const locked = { defaultServiceAccountsLocked: true };
    for (const id of ["k3s-cis-1.9", "k3s-cis-1.12"] as const) {
      const p = predictPolicies(getBenchmark(id), locked).find((x) => x.id === "5.1.5")!;
      assert.deepEqual([p.status, p.decidedBy], ["PASS", "stack"], id);
    }
  });

  it("the stack's own hostPID scan pods make 1.10+'s 5.2.3 WARN; compliant pods leave the verdict to the cluster", () => {
    const hostPid = b112.controls.find((x) => x.topic === "pod.host-pid")!;
    const p = predictControl(hostPid, {}, { defaultServiceAccountsLocked: true, pods: [scanPod] });
    assert.deepEqual([p.status, p.decidedBy], ["WARN", "stack"]);
    assert.match(p.detail, /kube-bench-cp-1/);
    const esc = b112.controls.find((x) => x.topic === "pod.privilege-escalation")!;
    assert.deepEqual(predictControl(esc, {}, { defaultServiceAccountsLocked: true, pods: [scanPod] }).status, "UNKNOWN");
    // 1.9 has no audit for 5.2.3 (manual): always WARN, whatever runs.
    const old = getBenchmark("k3s-cis-1.9").controls.find((x) => x.topic === "pod.host-pid")!;
    assert.equal(predictControl(old, {}, { defaultServiceAccountsLocked: true, pods: [scanPod] }).detail, "manual check, always WARN in kube-bench");
  });

  it("reads privileged from containers only, as security-scan's audit does", () => {
    const priv = b112.controls.find((x) => x.topic === "pod.privileged")!;
    const asInit = { name: "Job a/b", containers: [{ name: "upload", securityContext: { privileged: false } }] };
    const asMain = { name: "Job a/c", containers: [{ name: "kube-bench", securityContext: { privileged: true } }] };
    assert.equal(predictControl(priv, {}, { defaultServiceAccountsLocked: true, pods: [asInit] }).status, "UNKNOWN");
    assert.equal(predictControl(priv, {}, { defaultServiceAccountsLocked: true, pods: [asInit, asMain] }).status, "WARN");
  });
});
