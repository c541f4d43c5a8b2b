/**
 * Pack-level config, not a CIS control: `cis-benchmark.benchmark` in the policy config states which
 * benchmark the config (and its reviewers) expect. The pack's metadata is fixed at load (see
 * rules/config.ts resolvePackBenchmark), so a mismatch is a violation rather than a silent switch.
 * `npm run scan` reads the same property to select its benchmark.
 */
import { SUPPORTED_BENCHMARKS } from "../../components/cis";
import { BENCHMARK_ENV, BENCHMARK_POLICY } from "../rules/config";
import { StackRule } from "../rules/types";

export const benchmarkConsistency: StackRule = {
  name: BENCHMARK_POLICY,
  description: "Checks that the benchmark stated in the policy config is the one the pack loaded with.",
  remediationSteps: `Run the engine with ${BENCHMARK_ENV}=<benchmark> (or the stack config <project>:benchmark) matching cis-benchmark.benchmark in the policy config, or change the config.`,
  severity: "high",
  defaultLevel: "mandatory",
  options: {
    benchmark: {
      type: "string",
      enum: [...SUPPORTED_BENCHMARKS],
      description: "The benchmark this config is written for; control ids in messages and framework.reference follow it.",
    },
  },
  check(_resources, ctx) {
    const stated = ctx.options.benchmark;
    if (typeof stated !== "string") return { findings: [], exempted: [], notApplicable: "the policy config states no benchmark" };
    if (stated === ctx.benchmark) return { findings: [], exempted: [] };
    return {
      findings: [
        {
          message: `the policy config states benchmark ${stated} but the pack loaded ${ctx.benchmark} (from ${ctx.benchmarkSource}); set ${BENCHMARK_ENV}=${stated}`,
        },
      ],
      exempted: [],
    };
  },
};
