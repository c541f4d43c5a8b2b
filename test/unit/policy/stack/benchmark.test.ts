import * as assert from "assert";
import { benchmarkConsistency } from "../../../../policy/stack/benchmark";
import { runStackRule } from "../helpers";

describe("cis-benchmark (pack config)", () => {
  it("is not applicable when the config states no benchmark", () => {
    assert.ok(runStackRule(benchmarkConsistency, []).notApplicable);
  });

  it("passes when the stated benchmark is the loaded one", () => {
    assert.deepStrictEqual(runStackRule(benchmarkConsistency, [], { benchmark: "k3s-cis-1.8" }, "k3s-cis-1.8").findings, []);
  });

  it("reports a mismatch and how to fix it", () => {
    const [f] = runStackRule(benchmarkConsistency, [], { benchmark: "k3s-cis-1.9" }, "k3s-cis-1.7").findings;
    assert.match(f.message, /states benchmark k3s-cis-1\.9 but the pack loaded k3s-cis-1\.7 .*K3S_CIS_BENCHMARK=k3s-cis-1\.9/);
  });
});
