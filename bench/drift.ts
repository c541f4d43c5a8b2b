/**
 * Cost of the drift check: `pulumi preview` wall time with the check (one read-only SSH probe per node)
 * against the same preview without it, on 3 and 20 SSH test nodes (test/e2e/harness), after a first
 * `pulumi up` so that both previews see a converged stack (the one with the check must report no
 * changes). Prints figures; not a test.
 *
 * Needs root and the engine on PATH (scripts/build-engine.sh); says so and skips otherwise.
 * Env: DRIFT_BENCH_SIZES (default "3,20"), DRIFT_BENCH_RUNS (default 3).
 */
import * as path from "node:path";
import { median, openTestStack, requireEngineAndRoot } from "./testStack";

const SIZES = (process.env.DRIFT_BENCH_SIZES ?? "3,20").split(",").map(Number);
const RUNS = Number(process.env.DRIFT_BENCH_RUNS ?? "3");

function measure(n: number): { withCheck: number[]; without: number[] } {
  const stack = openTestStack(n, "drift");
  try {
    const { pulumi, set } = stack;
    set("rollout", { healthTimeoutSeconds: 10, agentBatchSize: 5 });
    set("kubernetes", { renderYamlToDirectory: path.join(stack.dir, "manifests") });
    pulumi(["up", "--yes", "--skip-preview"]);
    const withCheck: number[] = [];
    const without: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      set("driftCheck", true);
      withCheck.push(pulumi(["preview", "--expect-no-changes"]).seconds);
      // Without the check the sync marker is left out of the apply commands, so this preview shows them
      // as updates; it still computes the same plan for the same resources.
      set("driftCheck", false);
      without.push(pulumi(["preview"]).seconds);
    }
    return { withCheck, without };
  } finally {
    stack.close();
  }
}

requireEngineAndRoot("drift check cost");

console.log(`drift check cost: pulumi preview of a converged stack, median of ${RUNS} runs each`);
console.log("nodes  with check (s)  without (s)  ratio  extra per node (ms)");
for (const n of SIZES) {
  const r = measure(n);
  const a = median(r.withCheck);
  const b = median(r.without);
  console.log(
    `${String(n).padStart(5)}  ${a.toFixed(1).padStart(14)}  ${b.toFixed(1).padStart(11)}  ${(a / b).toFixed(2).padStart(5)}  ${(((a - b) * 1000) / n).toFixed(0).padStart(19)}` +
      `   (with: ${r.withCheck.map((x) => x.toFixed(1)).join(", ")}; without: ${r.without.map((x) => x.toFixed(1)).join(", ")})`,
  );
}
