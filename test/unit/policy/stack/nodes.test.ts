/** The node stack policies over components shaped like ClusterHardening/NodeHardening's registered outputs. */
import * as assert from "assert";
import { renderNodeBundle } from "../../../../components/k3s/render";
import { CLUSTER_HARDENING_TYPE, NODE_HARDENING_TYPE } from "../../../../components/tokens";
import { STACK_TYPES } from "../../../../policy/rules/kinds";
import { StackResource } from "../../../../policy/rules/types";
import { auditLogging } from "../../../../policy/stack/audit-logging";
import { nodeConfig, nodeConfigCritical } from "../../../../policy/stack/node-config";
import { nodeHardened } from "../../../../policy/stack/node-hardened";
import { config } from "../../helpers";
import { SUPPORTED_BENCHMARKS } from "../../../../components/cis";
import { Mutable, runStackRule, stackResource } from "../helpers";

/** The stack as the program registers it: the root component plus one NodeHardening per node. */
function stack(change: (node: string, summary: Mutable) => void = () => undefined, cfg = config()): StackResource[] {
  const cluster = stackResource(STACK_TYPES.clusterHardening, cfg.cluster, {
    cluster: cfg.cluster,
    benchmark: cfg.profile.benchmark,
    expectedNodes: cfg.nodes.map((n) => ({ name: n.name, role: n.role })),
    auditLogPath: cfg.profile.audit.logPath,
    auditPolicyPath: cfg.profile.audit.policyPath,
  });
  const nodes = cfg.nodes.map((n) => {
    const bundle = renderNodeBundle(cfg, n);
    const summary: Mutable = {
      nodeName: n.name,
      role: n.role,
      benchmark: cfg.profile.benchmark,
      digest: "0123456789abcdef",
      files: bundle.files.map((f) => f.path),
      k3sConfig: structuredClone(bundle.k3sConfig),
      ...(n.role === "server" ? { auditLogPath: cfg.profile.audit.logPath, auditPolicyPath: cfg.profile.audit.policyPath } : {}),
    };
    change(n.name, summary);
    return stackResource(STACK_TYPES.nodeHardening, n.name, summary);
  });
  return [cluster, ...nodes];
}

/** Replaces a kube-apiserver-arg entry by prefix (undefined removes it). */
function apiArg(summary: Mutable, prefix: string, replacement: string | undefined): void {
  const args: string[] = summary.k3sConfig["kube-apiserver-arg"];
  const i = args.findIndex((a) => a.startsWith(prefix));
  assert.ok(i >= 0, `no ${prefix} in the rendered config`);
  if (replacement === undefined) args.splice(i, 1);
  else args[i] = replacement;
}

describe("node stack policies", () => {
  it("use the project's component type tokens", () => {
    assert.strictEqual(STACK_TYPES.clusterHardening, CLUSTER_HARDENING_TYPE);
    assert.strictEqual(STACK_TYPES.nodeHardening, NODE_HARDENING_TYPE);
  });

  describe("k3s-node-hardened", () => {
    it("passes when every configured node has its component", () => {
      assert.deepStrictEqual(runStackRule(nodeHardened, stack()).findings, []);
    });

    it("reports a configured node without a NodeHardening, pinned to the cluster component", () => {
      const resources = stack().filter((r) => r.name !== "wk-2");
      const outcome = runStackRule(nodeHardened, resources);
      assert.deepStrictEqual(outcome.findings, [{ urn: resources[0].urn, message: "node wk-2 is in the stack configuration but has no NodeHardening component" }]);
    });

    it("reports a node hardened with the wrong role", () => {
      const outcome = runStackRule(nodeHardened, stack((n, s) => n === "wk-1" && (s.role = "server")));
      assert.deepStrictEqual(outcome.findings.map((f) => f.message), ["node wk-1 is configured as agent but hardened as server"]);
    });

    it("is not applicable without the ClusterHardening component", () => {
      assert.ok(runStackRule(nodeHardened, stack().slice(1)).notApplicable);
    });
  });

  describe("k3s-node-config-critical / k3s-node-config (predicted kube-bench FAILs)", () => {
    it("the rendered profile passes on every node, for every benchmark", () => {
      for (const b of SUPPORTED_BENCHMARKS) {
        const rendered = stack(undefined, config({ benchmark: b }));
        assert.deepStrictEqual(runStackRule(nodeConfigCritical, rendered, {}, b).findings, [], b);
        assert.deepStrictEqual(runStackRule(nodeConfig, rendered, {}, b).findings, [], b);
      }
    });

    it("lists a critical control kube-bench would FAIL on that node", () => {
      const resources = stack((n, s) => n === "cp-2" && apiArg(s, "anonymous-auth=", "anonymous-auth=true"));
      const outcome = runStackRule(nodeConfigCritical, resources);
      assert.strictEqual(outcome.findings.length, 1);
      assert.strictEqual(outcome.findings[0].urn, resources.find((r) => r.name === "cp-2")!.urn);
      // k3s-cis-1.9 and later read the kubelet's anonymous-auth (4.2.1) from the API server's line too.
      assert.match(outcome.findings[0].message, /^node cp-2 \(server\): kube-bench k3s-cis-1\.12 would FAIL 2 critical controls: 1\.2\.1 .*anonymous-auth.*; 4\.2\.1 .*anonymous-auth/);
      assert.deepStrictEqual(runStackRule(nodeConfig, resources).findings, [], "not listed again as non-critical");
    });

    it("lists non-critical FAILs in the advisory policy", () => {
      const outcome = runStackRule(nodeConfig, stack((n, s) => n === "cp-1" && apiArg(s, "profiling=", "profiling=true")));
      assert.strictEqual(outcome.findings.length, 1);
      assert.match(outcome.findings[0].message, /node cp-1 \(server\): kube-bench k3s-cis-1\.12 would FAIL 1 non-critical control: 1\.2\.\d+ .*profiling/);
    });

    it("skips exempt nodes with the reason", () => {
      const resources = stack((n, s) => n === "cp-2" && apiArg(s, "anonymous-auth=", "anonymous-auth=true"));
      const outcome = runStackRule(nodeConfigCritical, resources, { exemptions: [{ kind: "Node", name: "cp-2", reason: "lab node, rebuilt nightly" }] });
      assert.deepStrictEqual([outcome.findings, outcome.exempted], [[], ["lab node, rebuilt nightly"]]);
    });
  });

  describe("cis-audit-logging", () => {
    it("passes the rendered servers", () => {
      assert.deepStrictEqual(runStackRule(auditLogging, stack()).findings, []);
    });

    it("reports a server without the audit log flag, path or policy file", () => {
      const outcome = runStackRule(
        auditLogging,
        stack((n, s) => {
          if (n === "cp-1") apiArg(s, "audit-log-path=", undefined);
          if (n === "cp-3") s.files = s.files.filter((f: string) => f !== s.auditPolicyPath);
        }),
      );
      assert.strictEqual(outcome.findings.length, 2);
      assert.match(outcome.findings[0].message, /^server cp-1: audit logging is not configured: kube-bench 1\.2\.\d+ predicted WARN \(--audit-log-path is absent\)/);
      assert.match(outcome.findings[1].message, /^server cp-3: audit logging is not configured: the audit policy \/var\/lib\/rancher\/k3s\/server\/audit\.yaml is not among the files written/);
    });

    it("is not applicable without hardened nodes", () => {
      assert.ok(runStackRule(auditLogging, []).notApplicable);
    });
  });
});
