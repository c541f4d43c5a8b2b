/**
 * Where the tests find the released upstream sources kept outside this repository (see
 * scripts/build-engine.sh): $K3S_HARDENING_VENDOR, else ../shared/vendor next to the repository, else
 * /work/shared/vendor. The check-file tests need kube-bench's `cfg/` and Rancher security-scan's
 * check files from there; a missing folder is an error, never a skipped test.
 */
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..");

export function vendorDir(): string {
  const tried: string[] = [];
  for (const d of [process.env.K3S_HARDENING_VENDOR, path.join(ROOT, "..", "shared", "vendor"), "/work/shared/vendor"]) {
    if (!d) continue;
    tried.push(d);
    if (fs.existsSync(path.join(d, "kube-bench", "cfg")) && fs.existsSync(path.join(d, "security-scan-cfg"))) return d;
  }
  throw new Error(
    `vendored check files not found (tried ${tried.join(", ")}): set K3S_HARDENING_VENDOR to the folder holding kube-bench/cfg and security-scan-cfg`,
  );
}

/** The folder holding `<profile>/` check-file folders for this project (kube-bench's or security-scan's). */
export function checkFileRoot(project: "kube-bench" | "security-scan"): string {
  return project === "kube-bench" ? path.join(vendorDir(), "kube-bench", "cfg") : path.join(vendorDir(), "security-scan-cfg");
}
