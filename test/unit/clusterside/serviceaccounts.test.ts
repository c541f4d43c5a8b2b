import assert from "node:assert/strict";
import { clusterNamespaceLister, discoverNamespaces, loadClientNode } from "../../../components/serviceaccounts/discover";
import { lockdownNamespaces, renderDefaultServiceAccountPatch, renderServiceAccountPatches } from "../../../components/serviceaccounts/render";
import { build, withCapability } from "./fixtures";

describe("default ServiceAccount lockdown", () => {
  const { caps } = build();

  it("patches automountServiceAccountToken: false on default, forcing the field over earlier managers", () => {
    assert.deepEqual(renderDefaultServiceAccountPatch("apps"), {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: "default", namespace: "apps", annotations: { "pulumi.com/patchForce": "true" } },
      automountServiceAccountToken: false,
    });
  });

  it("covers the configured, created and discovered namespaces, minus exclusions, sorted", () => {
    const b = build(withCapability("serviceAccounts", { namespaces: ["default", "apps"], exclude: ["legacy", "apps"] }));
    assert.deepEqual(lockdownNamespaces(b.caps.serviceAccounts, ["kube-bench"], ["default", "legacy", "team-a", "kube-system"]), ["default", "kube-bench", "kube-system", "team-a"]);
    assert.deepEqual(lockdownNamespaces(b.caps.serviceAccounts, [], undefined), ["default"]);
  });

  it("renders one patch per namespace, and none when disabled", () => {
    assert.deepEqual(
      renderServiceAccountPatches(caps.serviceAccounts, ["kube-bench"], undefined).map((p) => p.metadata?.namespace),
      ["apps", "default", "kube-bench", "kube-node-lease", "kube-public", "kube-system"],
    );
    const off = build(withCapability("serviceAccounts", { enabled: false }));
    assert.deepEqual(renderServiceAccountPatches(off.caps.serviceAccounts, ["kube-bench"], ["x"]), []);
  });

  describe("reading namespaces at deploy time", () => {
    it("returns the lister's namespaces", async () => {
      assert.deepEqual(await discoverNamespaces(async () => ["a", "b"]), { namespaces: ["a", "b"] });
    });
    it("reports an unreachable cluster instead of failing", async () => {
      const r = await discoverNamespaces(async () => {
        throw new Error("connect ECONNREFUSED 127.0.0.1:6443");
      });
      assert.equal(r.namespaces, undefined);
      assert.match(r.error ?? "", /ECONNREFUSED/);
    });
    it("loads the ESM-only @kubernetes/client-node from CommonJS", async () => {
      const k8s = await loadClientNode();
      assert.equal(typeof k8s.KubeConfig, "function");
      assert.equal(typeof k8s.CoreV1Api, "function");
    });
    it("fails fast (as an error, not a hang) against a closed port", async () => {
      const kubeconfig = [
        "apiVersion: v1",
        "kind: Config",
        "clusters: [{name: c, cluster: {server: 'https://127.0.0.1:1', insecure-skip-tls-verify: true}}]",
        "users: [{name: u, user: {token: t}}]",
        "contexts: [{name: x, context: {cluster: c, user: u}}]",
        "current-context: x",
        "",
      ].join("\n");
      const r = await discoverNamespaces(clusterNamespaceLister({ kubeconfig }, 5000));
      assert.equal(r.namespaces, undefined);
      assert.ok(r.error);
    });
  });
});
