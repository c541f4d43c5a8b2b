import * as assert from "assert";
import { STACK_TYPES } from "../../../../policy/rules/kinds";
import { namespaceNetworkPolicy } from "../../../../policy/stack/namespace-network-policy";
import { namespaceResource, runStackRule, stackResource } from "../helpers";

function netpol(namespace: string | undefined) {
  return stackResource(STACK_TYPES.networkPolicy, `${namespace}-deny`, {
    metadata: { name: "default-deny", ...(namespace ? { namespace } : {}) },
    spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
  });
}

describe("cis-namespace-network-policy (5.3.2, stack)", () => {
  it("passes when every namespace has a NetworkPolicy", () => {
    assert.deepStrictEqual(runStackRule(namespaceNetworkPolicy, [namespaceResource("shop"), netpol("shop")]).findings, []);
  });

  it("reports each namespace without one", () => {
    const ops = namespaceResource("ops");
    const outcome = runStackRule(namespaceNetworkPolicy, [namespaceResource("shop"), netpol("shop"), ops, netpol("elsewhere")]);
    assert.deepStrictEqual(outcome.findings, [{ urn: ops.urn, message: "namespace ops has no NetworkPolicy" }]);
  });

  it("counts a NetworkPolicy without a namespace as the provider's (default) one", () => {
    assert.strictEqual(runStackRule(namespaceNetworkPolicy, [namespaceResource("shop"), netpol(undefined)]).findings.length, 1);
  });

  it("uses the Namespace's control id of the selected benchmark", () => {
    const outcome = runStackRule(namespaceNetworkPolicy, [namespaceResource("shop")], {}, "k3s-cis-1.9");
    assert.strictEqual(outcome.findings.length, 1);
  });
});
