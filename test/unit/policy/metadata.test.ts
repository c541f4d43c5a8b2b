import * as assert from "assert";
import { controlByTopic, getBenchmark, SUPPORTED_BENCHMARKS } from "../../../components/cis";
import { RESOURCE_RULES } from "../../../policy/rules/index";
import { STACK_RULES } from "../../../policy/stack/index";
import { pack, policiesFor } from "./engine";

describe("policy metadata", () => {
  for (const id of SUPPORTED_BENCHMARKS) {
    describe(id, () => {
      const bench = getBenchmark(id);
      const policies = policiesFor(id);

      it("has one policy per rule, with unique names", () => {
        assert.deepStrictEqual(
          policies.map((p) => p.name),
          [...RESOURCE_RULES, ...STACK_RULES].map((r) => r.name),
        );
      });

      it("names are stable kebab-case, never the reserved 'all'", () => {
        for (const p of policies) {
          assert.match(p.name, /^(cis|k3s)-[a-z0-9]+(-[a-z0-9]+)*$/);
          assert.notStrictEqual(p.name, "all");
        }
      });

      it("descriptions and remediation steps are sentences", () => {
        for (const p of policies) {
          assert.match(p.description, /^Checks that .+\.$/, p.name);
          assert.match(p.remediationSteps ?? "", /^[A-Z].+\.$/, p.name);
        }
      });

      it("CIS policies carry the framework of this benchmark, from the catalog", () => {
        for (const rule of [...RESOURCE_RULES, ...STACK_RULES]) {
          const p = policies.find((x) => x.name === rule.name)!;
          if (!rule.topic) {
            assert.strictEqual(p.framework, undefined, p.name);
            continue;
          }
          const control = controlByTopic(bench, rule.topic)!;
          assert.deepStrictEqual(p.framework, { name: "CIS Kubernetes Benchmark", version: id, reference: control.id, specification: control.title });
          assert.strictEqual(p.severity, control.severity, p.name);
          assert.strictEqual(p.displayName, `CIS ${control.id}: ${control.title}`);
        }
      });

      it("is mandatory for critical controls and advisory for the rest by default", () => {
        for (const p of policies) {
          const expected = p.name === "cis-benchmark" || p.severity === "critical" ? "mandatory" : "advisory";
          assert.strictEqual(p.enforcementLevel, expected, p.name);
        }
        assert.ok(policies.some((p) => p.enforcementLevel === "mandatory" && p.name === "cis-pod-privileged"));
      });

      it("every policy with exemptions requires a reason and at least one matcher", () => {
        for (const p of policies) {
          const ex = p.configSchema?.properties.exemptions;
          if (!ex) continue;
          assert.deepStrictEqual(ex.items.required, ["reason"]);
          assert.strictEqual(ex.items.minProperties, 2);
          assert.strictEqual(ex.items.additionalProperties, false);
          assert.ok(!("enforcementLevel" in p.configSchema!.properties), "the SDK rejects enforcementLevel in a schema");
        }
      });

      it("only the safe-default policies remediate", () => {
        const remediable = policies.filter((p) => p.remediateResource).map((p) => p.name).sort();
        assert.deepStrictEqual(remediable, ["cis-pod-drop-net-raw", "cis-pod-privilege-escalation", "cis-pod-sa-token-automount", "cis-pod-seccomp"]);
      });
    });
  }

  it("framework.reference follows the selected benchmark where ids differ", () => {
    const ref = (b: string) => policiesFor(b).find((p) => p.name === "cis-audit-logging")!.framework!.reference;
    assert.deepStrictEqual(["k3s-cis-1.7", "k3s-cis-1.8", "k3s-cis-1.9"].map(ref), ["1.2.18", "1.2.17", "1.2.16"]);
  });

  it("the pack name is valid for the engine and the args describe the benchmark", () => {
    assert.match(pack.PACK_NAME, /^[a-zA-Z0-9-_.]{1,100}$/);
    const args = pack.buildPackArgs({ id: "k3s-cis-1.9", source: "test" });
    assert.match(args.displayName ?? "", /k3s-cis-1\.9/);
  });
});
