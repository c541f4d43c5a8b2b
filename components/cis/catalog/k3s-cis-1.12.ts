/**
 * k3s-cis-1.12: Rancher security-scan's k3s profile of the CIS Kubernetes Benchmark v1.12.0, for k3s
 * 1.32 and later (Rancher's compliance operator: min 1.32.0, no max; its default k3s profile). k3s's own
 * self-assessment guide for CIS 1.12 covers v1.32-v1.36.
 *
 * Facts from rancher/security-scan package/cfg/k3s-cis-1.12/*.yaml at SECURITY_SCAN_COMMIT, written as
 * the changes from k3s-cis-1.11; titles and remediations are this project's own words. 131 checks.
 */
import { Benchmark, Control } from "../types";
import { benchmark as cis111 } from "./k3s-cis-1.11";
import { CHECK_FILE_DIGESTS } from "./checkFileDigests";
import { deriveBenchmark, withCompareValue } from "./derive";
import { APISERVER_STRONG_CIPHERS_1_12, KUBELET_STRONG_CIPHERS_1_12, SECURITY_SCAN_COMMIT } from "./shared";

const base = (id: string): Control => {
  const c = cis111.controls.find((x) => x.id === id);
  if (!c) throw new Error(`k3s-cis-1.11 has no ${id}`);
  return c;
};

export const benchmark: Benchmark = deriveBenchmark(cis111, {
  id: "k3s-cis-1.12",
  cisVersion: "1.12",
  kubernetes: { min: "1.32", max: "" },
  source: { project: "security-scan", commit: SECURITY_SCAN_COMMIT, versionLabel: "cis-1.12", files: CHECK_FILE_DIGESTS["k3s-cis-1.12"] },
  // "Added capabilities" (5.2.9) is folded into "capabilities assigned"; the rest of 5.2 moves up one.
  remove: ["5.2.9"],
  foldTopics: { "pod.added-capabilities": "pod.capabilities-all" },
  renumber: { "5.2.10": "5.2.9", "5.2.11": "5.2.10", "5.2.12": "5.2.11", "5.2.13": "5.2.12" },
  change: {
    "1.2.29": withCompareValue(base("1.2.29"), APISERVER_STRONG_CIPHERS_1_12),
    "4.2.12": withCompareValue(base("4.2.12"), KUBELET_STRONG_CIPHERS_1_12),
  },
});
