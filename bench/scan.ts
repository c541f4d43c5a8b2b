/**
 * `npm run bench:scan`: `npm run scan` over growing inputs. For 1, 10 and 50 MB of small Pod documents
 * (files of about 1 MB, as a repository of manifests holds them), it prints documents per second and the
 * scanning process's peak memory (maxRSS). The scan streams: it holds one file's text and one document
 * at a time, so peak memory should stay about the same as the input grows.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..");
const SIZES_MB = [1, 10, 50];
const FILE_BYTES = 1024 * 1024;

/**
 * One small Pod, compliant with every policy except every thousandth, which is privileged: the scan keeps
 * only findings, so with few findings its memory shows what the input itself costs.
 */
function pod(i: number): string {
  const sc = i % 1000 === 0 ? "privileged: true, " : "";
  return `apiVersion: v1
kind: Pod
metadata: { name: p-${i}, namespace: shop }
spec:
  automountServiceAccountToken: false
  serviceAccountName: app
  securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: RuntimeDefault } }
  containers:
    - name: c
      image: registry.example/app:1.${i % 50}
      securityContext: { ${sc}allowPrivilegeEscalation: false, capabilities: { drop: [ALL] } }
---
`;
}

function corpus(dir: string, mb: number): number {
  let docs = 0;
  let file = 0;
  let written = 0;
  while (written < mb * FILE_BYTES) {
    const parts: string[] = [];
    let bytes = 0;
    while (bytes < FILE_BYTES) {
      const d = pod(docs++);
      parts.push(d);
      bytes += d.length;
    }
    fs.writeFileSync(path.join(dir, `m-${String(file++).padStart(4, "0")}.yaml`), parts.join(""));
    written += bytes;
  }
  return docs;
}

function main(): void {
  console.log(`scan benchmark, node ${process.version}, one process per run`);
  console.log("input  | documents | findings | seconds | documents/s | peak memory (maxRSS)");
  for (const mb of SIZES_MB) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `scan-bench-${mb}mb-`));
    try {
      const docs = corpus(dir, mb);
      // The scan in a child of its own, so its peak memory is its own; time excludes ts-node's start.
      const code = `
        const t0 = process.hrtime.bigint();
        const { runScan } = require("./cli/scan");
        const out = { n: 0, v: 0 };
        const rc = runScan(["--json", ${JSON.stringify(dir)}], { stdout: (t) => { const d = JSON.parse(t); out.n = d.resources; out.v = d.violations.length; }, stderr: () => {}, env: {} });
        const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
        process.stderr.write(JSON.stringify({ rc, resources: out.n, violations: out.v, seconds, maxRssKb: process.resourceUsage().maxRSS }));`;
      const r = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", code], { cwd: ROOT, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
      const m = JSON.parse(r.stderr.trim().split("\n").pop() ?? "{}") as { rc: number; resources: number; violations: number; seconds: number; maxRssKb: number };
      if (m.resources !== docs) throw new Error(`scan counted ${m.resources} of ${docs} documents (rc ${m.rc})`);
      console.log(
        `${String(mb).padStart(3)} MB | ${String(docs).padStart(9)} | ${String(m.violations).padStart(8)} | ${m.seconds.toFixed(2).padStart(7)} | ${String(Math.round(docs / m.seconds)).padStart(11)} | ${(m.maxRssKb / 1024).toFixed(0)} MB`,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}

main();
