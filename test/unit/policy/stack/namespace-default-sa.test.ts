import * as assert from "assert";
import { STACK_TYPES } from "../../../../policy/rules/kinds";
import { namespaceDefaultServiceAccount } from "../../../../policy/stack/namespace-default-sa";
import { namespaceResource, runStackRule, stackResource } from "../helpers";

function saPatch(namespace: string | undefined, automount: unknown, name = "default") {
  return stackResource(STACK_TYPES.serviceAccountPatch, `${namespace}-default-sa`, {
    metadata: { name, ...(namespace ? { namespace } : {}) },
    automountServiceAccountToken: automount,
  });
}

describe("cis-namespace-default-sa (5.1.5, stack)", () => {
  it("passes when every namespace patches its default ServiceAccount", () => {
    const outcome = runStackRule(namespaceDefaultServiceAccount, [namespaceResource("shop"), saPatch("shop", false), namespaceResource("ops"), saPatch("ops", false)]);
    assert.deepStrictEqual(outcome.findings, []);
  });

  it("reports the namespace that lacks the patch, pinned to its URN", () => {
    const ops = namespaceResource("ops");
    const outcome = runStackRule(namespaceDefaultServiceAccount, [namespaceResource("shop"), saPatch("shop", false), ops]);
    assert.deepStrictEqual(outcome.findings, [{ urn: ops.urn, message: "namespace ops has no ServiceAccountPatch setting automountServiceAccountToken: false on its default ServiceAccount" }]);
  });

  it("does not count a patch that keeps automount on, or patches another ServiceAccount", () => {
    for (const patch of [saPatch("shop", true), saPatch("shop", false, "web"), saPatch("other", false)]) {
      assert.strictEqual(runStackRule(namespaceDefaultServiceAccount, [namespaceResource("shop"), patch]).findings.length, 1);
    }
  });

  it("matches a patch that takes its namespace from the Namespace resource (name unknown in preview)", () => {
    const ns = namespaceResource("shop");
    const patch = stackResource(STACK_TYPES.serviceAccountPatch, "sa", { metadata: { name: "default" }, automountServiceAccountToken: false }, { metadataFrom: ns });
    assert.deepStrictEqual(runStackRule(namespaceDefaultServiceAccount, [ns, patch]).findings, []);
  });

  it("skips exempt namespaces with their reason, and is not applicable without namespaces", () => {
    const outcome = runStackRule(namespaceDefaultServiceAccount, [namespaceResource("kube-bench")], {
      exemptions: [{ name: "kube-bench", reason: "scanner namespace, its pods use a dedicated SA" }],
    });
    assert.deepStrictEqual(outcome.findings, []);
    assert.deepStrictEqual(outcome.exempted, ["scanner namespace, its pods use a dedicated SA"]);
    assert.ok(outcome.notApplicable);
    assert.strictEqual(runStackRule(namespaceDefaultServiceAccount, []).notApplicable, "the stack creates no Namespace");
  });
});
