import assert from "node:assert/strict";
import { compare, effectiveArgs, evaluateFlagCheck, findFlagValue, journalLine } from "../../../components/k3s/evaluate";

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
