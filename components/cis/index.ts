/**
 * The CIS catalog: lookup helpers over the per-benchmark data in ./catalog.
 */
import { Benchmark, BenchmarkId, Control, SUPPORTED_BENCHMARKS, Topic } from "./types";
import { benchmark as cis17 } from "./catalog/k3s-cis-1.7";
import { benchmark as cis18 } from "./catalog/k3s-cis-1.8";
import { benchmark as cis19 } from "./catalog/k3s-cis-1.9";
import { benchmark as cis110 } from "./catalog/k3s-cis-1.10";
import { benchmark as cis111 } from "./catalog/k3s-cis-1.11";
import { benchmark as cis112 } from "./catalog/k3s-cis-1.12";

export * from "./types";

const BENCHMARKS: Record<BenchmarkId, Benchmark> = {
  "k3s-cis-1.7": cis17,
  "k3s-cis-1.8": cis18,
  "k3s-cis-1.9": cis19,
  "k3s-cis-1.10": cis110,
  "k3s-cis-1.11": cis111,
  "k3s-cis-1.12": cis112,
};

/**
 * The profile for a stack that states neither `benchmark` nor `k3sVersion`: k3s-cis-1.12, the profile for
 * k3s 1.32 and later and the default k3s profile of Rancher's compliance operator.
 */
export const CURRENT_BENCHMARK: BenchmarkId = "k3s-cis-1.12";

export function isBenchmarkId(value: string): value is BenchmarkId {
  return (SUPPORTED_BENCHMARKS as readonly string[]).includes(value);
}

export function getBenchmark(id: BenchmarkId): Benchmark {
  return BENCHMARKS[id];
}

export function controlById(bench: Benchmark, id: string): Control | undefined {
  return bench.controls.find((c) => c.id === id);
}

/**
 * The control that carries `topic` in this benchmark, if the benchmark has one; for a topic the profile
 * folded into a broader check, that check.
 */
export function controlByTopic(bench: Benchmark, topic: Topic): Control | undefined {
  const own = bench.controls.find((c) => c.topic === topic);
  if (own) return own;
  const into = bench.foldedTopics?.[topic];
  return into ? bench.controls.find((c) => c.topic === into) : undefined;
}

export function criticalControls(bench: Benchmark): Control[] {
  return bench.controls.filter((c) => c.severity === "critical");
}

/** A k3s or Kubernetes version as `major.minor` ("v1.33.4+k3s1", "1.33.4", "v1.33" -> "1.33"). */
export function kubernetesMinor(version: string): string | undefined {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?(?:[-+][0-9A-Za-z.+-]*)?$/.exec(version.trim());
  return m ? `${Number(m[1])}.${Number(m[2])}` : undefined;
}

function minorNumber(minor: string): number {
  const [a, b] = minor.split(".").map(Number);
  return a * 1000 + b;
}

/** The Kubernetes range a profile covers, as text ("1.29-1.31", "1.32 and later"). */
export function rangeText(bench: Benchmark): string {
  const { min, max } = bench.kubernetes;
  if (max === "") return `${min} and later`;
  return min === max ? min : `${min}-${max}`;
}

/** Whether the profile is meant for this Kubernetes minor version (Rancher's min/max check). */
export function coversVersion(bench: Benchmark, minor: string): boolean {
  const v = minorNumber(minor);
  const { min, max } = bench.kubernetes;
  return v >= minorNumber(min) && (max === "" || v <= minorNumber(max));
}

/**
 * The profile for a k3s version, by the table Rancher's compliance operator uses for 1.27 and later
 * (k3s-cis-1.9: 1.27, 1.10: 1.28, 1.11: 1.29-1.31, 1.12: 1.32 and later) and kube-bench's for 1.25-1.26.
 * The ranges live in the catalogs (`kubernetes`); undefined for a version older than every profile.
 */
export function benchmarkForVersion(minor: string): BenchmarkId | undefined {
  return SUPPORTED_BENCHMARKS.find((id) => coversVersion(BENCHMARKS[id], minor));
}

/**
 * The profile a kube-bench report belongs to, from the `version` its controls carry: kube-bench's k3s
 * files say "k3s-cis-1.9", security-scan's "cis-1.12". security-scan's own k3s-cis-1.9 also says
 * "cis-1.9"; it differs from kube-bench's (which the catalog follows), so that label maps to nothing.
 */
export function benchmarkOfReportLabel(label: string): BenchmarkId | undefined {
  return SUPPORTED_BENCHMARKS.find((id) => BENCHMARKS[id].source.versionLabel === label);
}
