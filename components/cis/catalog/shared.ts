/**
 * Facts shared by the k3s CIS catalogs (k3s-cis-1.7 … 1.12).
 *
 * Sources: aquasecurity/kube-bench cfg/k3s-cis-<v>/{master,etcd,controlplane,node,policies}.yaml and
 * cfg/config.yaml (+ the per-benchmark cfg/k3s-cis-<v>/config.yaml overrides) for 1.7-1.9; Rancher
 * security-scan package/cfg/k3s-cis-<v>/ for 1.10-1.12 (kube-bench has no k3s profile after 1.9). Only
 * facts are taken from there (ids, sections, targets, types, scored, flags, operators, values, paths);
 * every title and remediation in the catalog files is written in this project's own words. The unit
 * test test/unit/cis/checkFiles.test.ts compares every check with the vendored files.
 *
 * How the catalog fields map to kube-bench:
 * - kind: kube-bench `type: skip` -> "skip" (always INFO), `type: manual` -> "manual" (always WARN),
 *   no type -> "automated". The "(Manual)"/"(Automated)" suffix of a kube-bench check text is NOT used;
 *   several type-less checks say "(Manual)" and are still evaluated (unscored ones end WARN, not FAIL,
 *   when they do not pass). A type-less check with no tests at all is reported WARN by kube-bench; those
 *   carry `check: { kind: "other" }` and a comment saying so.
 * - scored: kube-bench `scored` verbatim.
 * - check items: `set` is always written out. kube-bench defaults `set` to true for every test item
 *   (check/test.go, testItem.UnmarshalYAML), with or without `compare`; `set: false` means "flag absent".
 *   `binOp` is kube-bench's `bin_op`, "and" when absent. Compare values are kube-bench's, as strings.
 * - file paths: kube-bench's $variables resolved as they resolve on a k3s node (first existing candidate
 *   of cfg/config.yaml merged with the k3s override, else the `default...` entry); the chosen value is
 *   noted where it depends on the node.
 *
 * Severity rule (applied in this order):
 * 1. critical: exactly the controls carrying one of CRITICAL_TOPICS below (anonymous API access, RBAC
 *    authorization, the API audit log and the minimal audit policy, privileged pods, the default
 *    ServiceAccount token (5.1.5), anonymous kubelet access, cluster-admin bindings (5.1.1)).
 * 2. low: every `skip` control (not applicable to k3s, INFO), and the purely informational manual
 *    recommendations that ask the operator to consider something no setting can prove: 3.1.1-3.1.3 (how
 *    people authenticate), 5.3.1 (the CNI supports NetworkPolicy), 5.4.2 (external secret store), 5.5.1
 *    (image provenance), 5.7.1 (namespaces as boundaries).
 * 3. high: the remaining authentication / authorization controls (API server token file, kubelet client
 *    certificates and CA, authorization modes, NodeRestriction, service account lookup and keys, section
 *    5.1 RBAC), TLS (API server/kubelet certificates, client CAs, cipher suites, certificate rotation, the
 *    controller manager root CA), audit log retention and audit policy coverage, kubelet authentication
 *    and authorization (incl. the read-only port), etcd TLS (section 2 and the API server's etcd client
 *    certificate/CA), encryption at rest, and every section 5.2 pod-security control.
 * 4. medium: everything else (file modes and owners, profiling, bind addresses, other admission plugins,
 *    timeouts and rate limits, remaining section 5 workload hygiene).
 */
import { Topic } from "../types";

/** kube-bench v0.15.6, whose cfg/ the 1.7-1.9 catalogs encode. */
export const KUBE_BENCH_COMMIT = "92e522b9ac82d4253e8b7582de1e75f5dae1f4b5";

/** rancher/security-scan main of 2026-07-02, whose package/cfg/ the 1.10-1.12 catalogs encode. */
export const SECURITY_SCAN_COMMIT = "38bebe715401705c38b3bad62433c1526fe7aa18";

/**
 * The kubelet config file security-scan's k3s profiles (1.9-1.12) check as `$kubeletconf` on agents:
 * k3s's own drop-in in the kubelet's --config-dir. kube-bench's k3s profiles check the kubelet's
 * kubeconfig under that name instead.
 */
export const K3S_KUBELET_DEFAULTS_CONF = "/var/lib/rancher/k3s/agent/etc/kubelet.conf.d/00-k3s-defaults.conf";

/** The topics whose controls are `critical`; no other control is. */
export const CRITICAL_TOPICS: readonly Topic[] = [
  "api.anonymous-auth",
  "api.authorization-mode.rbac",
  "api.audit-log-path",
  "logging.audit-policy",
  "pod.privileged",
  "sa.default-not-used",
  "kubelet.anonymous-auth",
  "rbac.cluster-admin",
];

/** Cipher suites kube-bench accepts for kube-apiserver --tls-cipher-suites (valid_elements), 1.7-1.9. */
export const APISERVER_STRONG_CIPHERS = [
  "TLS_AES_128_GCM_SHA256",
  "TLS_AES_256_GCM_SHA384",
  "TLS_CHACHA20_POLY1305_SHA256",
  "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
  "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
  "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
  "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
  "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
  "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
  "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA",
  "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
  "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
  "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
  "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
  "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
  "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
  "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
  "TLS_RSA_WITH_AES_128_CBC_SHA",
  "TLS_RSA_WITH_AES_128_GCM_SHA256",
  "TLS_RSA_WITH_AES_256_CBC_SHA",
  "TLS_RSA_WITH_AES_256_GCM_SHA384",
].join(",");

/** Cipher suites kube-bench accepts for kubelet --tls-cipher-suites (valid_elements), 1.7-1.11. */
export const KUBELET_STRONG_CIPHERS = [
  "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
  "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
  "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
  "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
  "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
  "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
  "TLS_RSA_WITH_AES_256_GCM_SHA384",
  "TLS_RSA_WITH_AES_128_GCM_SHA256",
].join(",");

/** 1.10 and 1.11 drop the 3DES suites and the RSA-key-exchange CBC suites from the API server's list. */
export const APISERVER_STRONG_CIPHERS_1_10 = [
  "TLS_AES_128_GCM_SHA256",
  "TLS_AES_256_GCM_SHA384",
  "TLS_CHACHA20_POLY1305_SHA256",
  "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
  "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
  "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
  "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
  "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
  "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
  "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
  "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
  "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
  "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
  "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
  "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
  "TLS_RSA_WITH_AES_128_GCM_SHA256",
  "TLS_RSA_WITH_AES_256_GCM_SHA384",
].join(",");

/** 1.12 keeps only TLS 1.3 suites and ECDHE suites with AEAD ciphers for the API server. */
export const APISERVER_STRONG_CIPHERS_1_12 = [
  "TLS_AES_128_GCM_SHA256",
  "TLS_AES_256_GCM_SHA384",
  "TLS_CHACHA20_POLY1305_SHA256",
  "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
  "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
  "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
  "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
  "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
  "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
  "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
  "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
].join(",");

/** 1.12 drops the two RSA-key-exchange suites from the kubelet's list. */
export const KUBELET_STRONG_CIPHERS_1_12 = [
  "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
  "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
  "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
  "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
  "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
  "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
].join(",");
