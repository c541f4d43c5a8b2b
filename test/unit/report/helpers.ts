/**
 * Shared helpers of the report tests: paths of the fixtures, and LoadedReports built from the catalog.
 */
import * as path from "path";
import { Benchmark, BenchmarkId, getBenchmark } from "../../../components/cis";
import { LoadedReport, loadReportText } from "../../../report/load";
import { BuildOptions, buildKubeBenchReport, toKubeBenchJson } from "../../fixtures/kube-bench/build";

export const FIXTURES = path.resolve(__dirname, "../../fixtures/kube-bench");
export const fixture = (...parts: string[]): string => path.join(FIXTURES, ...parts);

/** The newest demo week and a time one day after it, when every demo report is fresh. */
export const DEMO_NEWEST = new Date("2026-11-22T02:00:00Z");
export const DEMO_NOW = new Date("2026-11-23T02:00:00Z");

export function bench(id: BenchmarkId = "k3s-cis-1.7"): Benchmark {
  return getBenchmark(id);
}

/** A LoadedReport of `node` at `time`, built from the catalog and parsed as the CLI would. */
export function report(
  b: Benchmark,
  node: string,
  time: Date,
  options: BuildOptions,
  nototals = false,
): LoadedReport {
  const stamp = time.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
  const location = `mem/${node}/${stamp}.json`;
  return loadReportText(toKubeBenchJson(buildKubeBenchReport(b, options), nototals), location, location.split("/"), time);
}

export const DAY_MS = 24 * 60 * 60 * 1000;
