/**
 * The CIS catalog: lookup helpers over the per-benchmark data in ./catalog.
 */
import { Benchmark, BenchmarkId, Control, SUPPORTED_BENCHMARKS, Topic } from "./types";
import { benchmark as cis17 } from "./catalog/k3s-cis-1.7";
import { benchmark as cis18 } from "./catalog/k3s-cis-1.8";
import { benchmark as cis19 } from "./catalog/k3s-cis-1.9";

export * from "./types";

const BENCHMARKS: Record<BenchmarkId, Benchmark> = {
  "k3s-cis-1.7": cis17,
  "k3s-cis-1.8": cis18,
  "k3s-cis-1.9": cis19,
};

export function isBenchmarkId(value: string): value is BenchmarkId {
  return (SUPPORTED_BENCHMARKS as readonly string[]).includes(value);
}

export function getBenchmark(id: BenchmarkId): Benchmark {
  return BENCHMARKS[id];
}

export function controlById(bench: Benchmark, id: string): Control | undefined {
  return bench.controls.find((c) => c.id === id);
}

/** The control that carries `topic` in this benchmark, if the benchmark has one. */
export function controlByTopic(bench: Benchmark, topic: Topic): Control | undefined {
  return bench.controls.find((c) => c.topic === topic);
}

export function criticalControls(bench: Benchmark): Control[] {
  return bench.controls.filter((c) => c.severity === "critical");
}
