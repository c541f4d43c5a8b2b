/**
 * k3s-cis-1.10: Rancher security-scan's k3s profile of the CIS Kubernetes Benchmark v1.10.0, for k3s
 * 1.28 (Rancher's compliance operator: min 1.28.0, max 1.28.x). kube-bench v0.15.6 has no k3s profile
 * after 1.9; these files run in it with a `target_mapping` entry (see components/kubebench).
 *
 * Facts from rancher/security-scan package/cfg/k3s-cis-1.10/*.yaml at SECURITY_SCAN_COMMIT, written as
 * the changes from kube-bench's k3s-cis-1.9 (./k3s-cis-1.9.ts); titles and remediations are this
 * project's own words. 130 checks.
 */
import { Benchmark, Control, FlagTestItem } from "../types";
import { benchmark as cis19 } from "./k3s-cis-1.9";
import { CHECK_FILE_DIGESTS } from "./checkFileDigests";
import { deriveBenchmark, withCompareValue } from "./derive";
import { APISERVER_STRONG_CIPHERS_1_10, K3S_KUBELET_DEFAULTS_CONF, SECURITY_SCAN_COMMIT } from "./shared";

const base = (id: string): Control => {
  const c = cis19.controls.find((x) => x.id === id);
  if (!c) throw new Error(`k3s-cis-1.9 has no ${id}`);
  return c;
};

/** security-scan's pod-security audits list every Pod and say `is_compliant: true|false` for each. */
export const POD_AUDIT_ITEMS: FlagTestItem[] = [{ flag: "is_compliant", set: true, compare: { op: "eq", value: "true" } }];

/** The RBAC audits kube-bench 1.9 did not have: can `system:authenticated` read Secrets / create Pods. */
export const SECRETS_ACCESS_ITEMS: FlagTestItem[] = [
  { flag: "canGetListWatchSecretsAsSystemAuthenticated", set: true, compare: { op: "eq", value: "no" } },
];
export const POD_CREATE_ITEMS: FlagTestItem[] = [{ flag: "canCreatePodsAsSystemAuthenticated", set: true, compare: { op: "eq", value: "no" } }];

const clusterAudit = (items: FlagTestItem[]) => ({ kind: "other" as const, decidedBy: "cluster" as const, binOp: "and" as const, items });

/** The not-applicable skip checks security-scan marks scored (they still report INFO). */
const SCORED_SKIPS = ["1.1.1", "1.1.2", "1.1.3", "1.1.4", "1.1.5", "1.1.6", "1.1.7", "1.1.8", "1.1.12"];

/** Pod-security checks that gained a real audit in 1.10 (is_compliant per Pod; unscored). */
export const AUDITED_POD_CHECKS_1_10 = ["5.2.2", "5.2.3", "5.2.4", "5.2.5", "5.2.6", "5.2.9"];

const streaming = base("4.2.5");

/** 4.1.9/4.1.10 check k3s's kubelet config drop-in, not the kubelet's kubeconfig. */
const onKubeletConf = (id: string): Partial<Control> => {
  const c = base(id);
  if (c.check.kind !== "file") throw new Error(`${id} is not a file check`);
  return {
    title: c.check.property === "permissions" ? "k3s's kubelet config file is mode 600 or tighter" : "k3s's kubelet config file is owned by root:root",
    check: { ...c.check, path: K3S_KUBELET_DEFAULTS_CONF },
  };
};

export const benchmark: Benchmark = deriveBenchmark(cis19, {
  id: "k3s-cis-1.10",
  cisVersion: "1.10",
  kubernetes: { min: "1.28", max: "1.28" },
  source: { project: "security-scan", commit: SECURITY_SCAN_COMMIT, versionLabel: "cis-1.10", files: CHECK_FILE_DIGESTS["k3s-cis-1.10"] },
  change: {
    ...Object.fromEntries(SCORED_SKIPS.map((id) => [id, { scored: true }])),
    "1.1.20": { scored: false },
    "1.2.29": withCompareValue(base("1.2.29"), APISERVER_STRONG_CIPHERS_1_10),
    "4.1.9": onKubeletConf("4.1.9"),
    "4.1.10": onKubeletConf("4.1.10"),
    // kube-bench 1.9's `noteqx` typo is `noteq` here: a set, non-zero timeout passes.
    "4.2.5": {
      check: {
        kind: "flag",
        component: "kubelet",
        binOp: "or",
        items: (streaming.check.kind === "flag" ? streaming.check.items : []).map((i) =>
          i.compare ? { ...i, compare: { ...i.compare, op: "noteq" } } : i,
        ),
      },
    },
    "5.1.2": { scored: true, check: clusterAudit(SECRETS_ACCESS_ITEMS) },
    "5.1.4": { scored: true, check: clusterAudit(POD_CREATE_ITEMS) },
    ...Object.fromEntries(AUDITED_POD_CHECKS_1_10.map((id) => [id, { kind: "automated" as const, check: clusterAudit(POD_AUDIT_ITEMS) }])),
  },
});
