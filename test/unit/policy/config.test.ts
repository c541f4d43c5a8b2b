import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { effectiveLevel, resolvePackBenchmark, validatePackConfig, configSchemaFor, policyProperties } from "../../../policy/rules/config";
import { RESOURCE_RULES } from "../../../policy/rules/index";
import { STACK_RULES } from "../../../policy/stack/index";
import { POLICY_DIR } from "./helpers";

const schemas = new Map([
  ...RESOURCE_RULES.map((r) => [r.name, configSchemaFor(r.options)] as const),
  ...STACK_RULES.map((r) => [r.name, configSchemaFor(r.options, r.exemptable === true)] as const),
]);

function readJson(file: string): any {
  return JSON.parse(fs.readFileSync(path.join(POLICY_DIR, file), "utf8"));
}

describe("policy config", () => {
  it("levels: policy default, then all, then the policy's own entry", () => {
    assert.strictEqual(effectiveLevel({}, "p", "mandatory"), "mandatory");
    assert.strictEqual(effectiveLevel({ all: "advisory" }, "p", "mandatory"), "advisory");
    assert.strictEqual(effectiveLevel({ all: { enforcementLevel: "disabled" }, p: "remediate" }, "p", "advisory"), "remediate");
    assert.strictEqual(effectiveLevel({ all: "mandatory", p: { exemptions: [] } }, "p", "advisory"), "mandatory");
  });

  it("properties: schema defaults, overridden by the file", () => {
    const schema = configSchemaFor({ x: { type: "string", default: "d" } });
    assert.deepStrictEqual(policyProperties({}, "p", schema), { exemptions: [], x: "d" });
    assert.deepStrictEqual(policyProperties({ p: { enforcementLevel: "mandatory", x: "y" } }, "p", schema), { exemptions: [], x: "y" });
  });

  it("the shipped and the example config are valid, and every exemption has a reason", () => {
    for (const file of ["policy-config.json", "policy-config.example.json"]) {
      const config = readJson(file);
      assert.deepStrictEqual(validatePackConfig(config, schemas), [], file);
      for (const entry of Object.values(config)) {
        for (const e of (entry as any).exemptions ?? []) assert.ok(typeof e.reason === "string" && e.reason.length > 10, JSON.stringify(e));
      }
    }
  });

  it("the shipped config exempts the project's scanner Jobs and log shipper, not in code", () => {
    const config = readJson("policy-config.json");
    const names = JSON.stringify(config);
    assert.match(names, /"kube-bench-\*"/);
    assert.match(names, /"kube-bench-cron-\*"/);
    assert.match(names, /"k8s-audit-shipper"/);
    for (const r of RESOURCE_RULES) assert.deepStrictEqual(configSchemaFor(r.options).properties.exemptions.default, [], "no built-in exemptions");
  });

  it("rejects bad configs with the path of the problem", () => {
    const errs = validatePackConfig(
      {
        all: "strict",
        "cis-pod-host-pid": { exemptions: [{ name: "x" }, { reason: "only a reason" }, { name: "y", reason: "r", image: "z" }] },
        "cis-pod-drop-net-raw": { remediationDrop: "SOME" },
        "no-such-policy": "advisory",
      },
      schemas,
    );
    assert.deepStrictEqual(errs, [
      'all: "strict" is not an enforcement level (advisory, mandatory, remediate, disabled)',
      "cis-pod-host-pid.exemptions[0]: reason is required",
      "cis-pod-host-pid.exemptions[0]: needs at least 2 properties",
      "cis-pod-host-pid.exemptions[1]: needs at least 2 properties",
      "cis-pod-host-pid.exemptions[2]: unknown property image",
      'cis-pod-drop-net-raw.remediationDrop: must be one of "NET_RAW", "ALL"',
      "no-such-policy: no such policy in the pack",
    ]);
  });

  describe("benchmark at pack load", () => {
    it("defaults to k3s-cis-1.12, the stack's own default", () => {
      assert.deepStrictEqual(resolvePackBenchmark({}), { id: "k3s-cis-1.12", source: "default" });
    });

    it("follows the stack's <project>:k3sVersion through the version table when no benchmark is set", () => {
      const env = (version: string) => ({ PULUMI_PROJECT: "p", PULUMI_CONFIG: JSON.stringify({ "p:k3sVersion": version }) });
      assert.deepStrictEqual(resolvePackBenchmark(env("v1.30.6+k3s1")), { id: "k3s-cis-1.11", source: "stack config p:k3sVersion v1.30.6+k3s1" });
      assert.strictEqual(resolvePackBenchmark(env("v1.28.15+k3s1")).id, "k3s-cis-1.10");
      assert.throws(() => resolvePackBenchmark(env("v1.20.1+k3s1")), /p:k3sVersion: "v1.20.1\+k3s1" names no k3s version/);
    });

    it("follows the stack's <project>:benchmark the engine passes in PULUMI_CONFIG", () => {
      const env = { PULUMI_PROJECT: "k3s-cis-hardening", PULUMI_CONFIG: JSON.stringify({ "k3s-cis-hardening:benchmark": "k3s-cis-1.9", "other:benchmark": "k3s-cis-1.8" }) };
      assert.deepStrictEqual(resolvePackBenchmark(env), { id: "k3s-cis-1.9", source: "stack config k3s-cis-hardening:benchmark" });
    });

    it("K3S_CIS_BENCHMARK wins, and a bad value is an error naming the choices", () => {
      const env = { K3S_CIS_BENCHMARK: "k3s-cis-1.8", PULUMI_PROJECT: "p", PULUMI_CONFIG: JSON.stringify({ "p:benchmark": "k3s-cis-1.9" }) };
      assert.strictEqual(resolvePackBenchmark(env).id, "k3s-cis-1.8");
      assert.throws(() => resolvePackBenchmark({ K3S_CIS_BENCHMARK: "cis-1.10" }), /K3S_CIS_BENCHMARK: "cis-1.10" is not a supported benchmark; use one of k3s-cis-1.7, k3s-cis-1.8, k3s-cis-1.9, k3s-cis-1.10, k3s-cis-1.11, k3s-cis-1.12/);
    });
  });
});
