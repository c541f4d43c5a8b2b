/**
 * k3s-cis-1.11: Rancher security-scan's k3s profile of the CIS Kubernetes Benchmark v1.11.0, for k3s
 * 1.29-1.31 (Rancher's compliance operator: min 1.29.0, max 1.31.x).
 *
 * Facts from rancher/security-scan package/cfg/k3s-cis-1.11/*.yaml at SECURITY_SCAN_COMMIT, written as
 * the changes from k3s-cis-1.10; titles and remediations are this project's own words. 132 checks.
 */
import { Benchmark, Control } from "../types";
import { benchmark as cis110, POD_CREATE_ITEMS, SECRETS_ACCESS_ITEMS } from "./k3s-cis-1.10";
import { CHECK_FILE_DIGESTS } from "./checkFileDigests";
import { deriveBenchmark } from "./derive";
import { SECURITY_SCAN_COMMIT } from "./shared";

const base = (id: string): Control => {
  const c = cis110.controls.find((x) => x.id === id);
  if (!c) throw new Error(`k3s-cis-1.10 has no ${id}`);
  return c;
};
const certModes = base("1.1.20");

export const benchmark: Benchmark = deriveBenchmark(cis110, {
  id: "k3s-cis-1.11",
  cisVersion: "1.11",
  kubernetes: { min: "1.29", max: "1.31" },
  source: { project: "security-scan", commit: SECURITY_SCAN_COMMIT, versionLabel: "cis-1.11", files: CHECK_FILE_DIGESTS["k3s-cis-1.11"] },
  // Section 5.7 "General policies" becomes 5.6 (5.6 had been left empty since CIS 1.7).
  sections: { "5.7": null, "5.6": "General policies" },
  renumber: { "5.7.1": "5.6.1", "5.7.2": "5.6.2", "5.7.3": "5.6.3", "5.7.4": "5.6.4" },
  change: {
    // CA and leaf certificates are public: 644 is enough, and the check is scored again.
    "1.1.20": {
      scored: true,
      title: "Control plane certificate files are mode 644 or tighter",
      check: certModes.check.kind === "file" ? { ...certModes.check, expected: "644" } : certModes.check,
    },
    // read-only-port must now be present and 0; "not set" no longer passes.
    "4.2.4": {
      check: { kind: "flag", component: "kubelet", binOp: "and", items: [{ flag: "--read-only-port", set: true, compare: { op: "eq", value: "0" } }] },
      remediation: "Keep k3s's read-only-port=0 on the kubelet line; never set another port in kubelet-arg.",
    },
    // Section 5.1 audits stay, but none of them is scored.
    "5.1.1": { scored: false },
    "5.1.2": { kind: "automated", scored: false, check: { kind: "other", decidedBy: "cluster", binOp: "and", items: SECRETS_ACCESS_ITEMS } },
    "5.1.3": { scored: false },
    "5.1.4": { kind: "automated", scored: false, check: { kind: "other", decidedBy: "cluster", binOp: "and", items: POD_CREATE_ITEMS } },
    "5.1.5": { scored: false },
    "5.1.6": { scored: false },
  },
  add: [
    {
      id: "1.2.30",
      topic: "api.service-account-extend-token-expiration",
      title: "API server does not extend the lifetime of projected service account tokens",
      section: "1.2",
      target: "master",
      kind: "automated",
      scored: true,
      severity: "high",
      check: {
        kind: "flag",
        component: "apiserver",
        binOp: "and",
        items: [{ flag: "--service-account-extend-token-expiration", set: true, compare: { op: "eq", value: "false" } }],
      },
      remediation: "Pass service-account-extend-token-expiration=false in kube-apiserver-arg (this project does by default).",
    },
    {
      id: "4.2.14",
      topic: "kubelet.seccomp-default",
      title: "Kubelet runs containers with the RuntimeDefault seccomp profile unless they ask otherwise",
      section: "4.2",
      target: "node",
      kind: "automated",
      scored: false,
      severity: "medium",
      check: { kind: "flag", component: "kubelet", binOp: "and", items: [{ flag: "--seccomp-default", set: true }] },
      remediation: "Set kubelet.seccompDefault (seccomp-default=true in kubelet-arg) once workloads are tested with RuntimeDefault.",
    },
  ],
});
