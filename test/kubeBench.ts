/**
 * The real kube-bench v0.15.6, built from its released source by scripts/build-kube-bench.sh
 * ($KUBE_BENCH_BIN names a folder holding it instead); its upstream cfg/ is next to the bin folder.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { builtBinFolder } from "./builds";

export function kubeBenchBin(): { bin: string; cfg: string } {
  const dir = builtBinFolder("KUBE_BENCH_BIN", "build-kube-bench.sh");
  const bin = path.join(dir, "kube-bench");
  const cfg = path.join(dir, "..", "cfg");
  if (!fs.existsSync(bin) || !fs.existsSync(path.join(cfg, "config.yaml"))) throw new Error(`no kube-bench with its cfg/ in ${dir}: run scripts/build-kube-bench.sh`);
  return { bin, cfg };
}
