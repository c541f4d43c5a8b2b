import assert from "node:assert/strict";
import type { Container, PodSpec } from "kubernetes-types/core/v1";
import { renderMcHostLine } from "../../../components/evidence/render";
import { DEFAULT_IMAGES, PULUMI_ANNOTATIONS, SCAN_HOST_MOUNTS } from "../../../components/kubebench/facts";
import { boundedName, CronJob, Job } from "../../../components/kubebench/objects";
import {
  renderScanEgressPolicy,
  renderKubeBenchBase,
  renderKubeBenchObjects,
  renderScanCronJob,
  renderScanJob,
  renderUploaderSecret,
  scanCronJobName,
  scanJobName,
  UPLOADER_SECRET_NAME,
} from "../../../components/kubebench/render";
import { nodeDigests } from "../../../cli/manifests";
import * as fs from "node:fs";
import * as path from "node:path";
import type { ConfigMap } from "kubernetes-types/core/v1";
import type { NetworkPolicy } from "kubernetes-types/networking/v1";
import { validateCapabilities } from "../../../components/config/capabilities";
import { validateStackConfig } from "../../../components/config/validate";
import { rawConfig } from "../helpers";
import { checkFileRoot } from "../../vendor";
import { build, withCapability } from "./fixtures";

function jobs(objects: ReturnType<typeof renderKubeBenchObjects>): Job[] {
  return objects.filter((o): o is Job => o.kind === "Job");
}

function cronJobs(objects: ReturnType<typeof renderKubeBenchObjects>): CronJob[] {
  return objects.filter((o): o is CronJob => o.kind === "CronJob");
}

function isCronJob(o: Job | CronJob): o is CronJob {
  return o.kind === "CronJob";
}

function podOf(o: Job | CronJob): PodSpec {
  const spec = isCronJob(o) ? o.spec?.jobTemplate.spec?.template.spec : (o as Job).spec?.template.spec;
  assert.ok(spec, "pod spec");
  return spec;
}

function scanContainer(pod: PodSpec): Container {
  const c = [...(pod.initContainers ?? []), ...pod.containers].find((x) => x.name === "kube-bench");
  assert.ok(c, "scan container");
  return c;
}

function script(pod: PodSpec): string {
  return scanContainer(pod).command?.join(" ") ?? "";
}

describe("kube-bench objects", () => {
  const { cfg, caps } = build();
  const objects = renderKubeBenchObjects(cfg, caps, nodeDigests(cfg));

  describe("namespace and access", () => {
    const base = renderKubeBenchBase(caps);
    it("labels the namespace Pod Security privileged (hostPID, host mounts)", () => {
      const labels = base.namespace.metadata?.labels ?? {};
      assert.equal(labels["pod-security.kubernetes.io/enforce"], "privileged");
      assert.equal(labels["pod-security.kubernetes.io/audit"], "privileged");
      assert.equal(labels["pod-security.kubernetes.io/warn"], "privileged");
      assert.equal(base.namespace.metadata?.name, "kube-bench");
    });
    it("has its own ServiceAccount, whose token the scan pods mount", () => {
      assert.equal(base.serviceAccount.metadata?.name, "kube-bench");
      for (const o of [...jobs(objects), ...cronJobs(objects)]) {
        assert.equal(podOf(o).serviceAccountName, "kube-bench");
        assert.equal(podOf(o).automountServiceAccountToken, true);
      }
    });
    it("grants read-only access without Secrets or wildcards", () => {
      const rules = base.clusterRole.rules ?? [];
      assert.ok(rules.length > 0);
      for (const r of rules) {
        assert.deepEqual(r.verbs, ["get", "list"]);
        assert.ok(!(r.resources ?? []).includes("secrets"));
        assert.ok(![...(r.resources ?? []), ...(r.apiGroups ?? []), ...r.verbs].includes("*"));
      }
      const resources = rules.flatMap((r) => r.resources ?? []);
      for (const needed of ["clusterroles", "clusterrolebindings", "roles", "serviceaccounts", "pods", "namespaces"]) assert.ok(resources.includes(needed), needed);
      assert.deepEqual(base.clusterRoleBinding.subjects, [{ kind: "ServiceAccount", name: "kube-bench", namespace: "kube-bench" }]);
      assert.equal(base.clusterRoleBinding.roleRef.name, base.clusterRole.metadata?.name);
    });
    it("denies ingress into the namespace", () => assert.deepEqual(base.networkPolicy.spec, { podSelector: {}, policyTypes: ["Ingress"] }));
    it("lets the scan pods reach only DNS, the API server and the evidence store", () => {
      const egress = objects.find((o) => o.kind === "NetworkPolicy" && o.metadata?.name === "scan-egress") as NetworkPolicy;
      assert.deepEqual(egress.spec?.policyTypes, ["Egress"]);
      assert.deepEqual(egress.spec?.podSelector, {});
      assert.deepEqual(egress.spec?.egress, [
        {
          to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
          ports: [
            { protocol: "UDP", port: 53 },
            { protocol: "TCP", port: 53 },
          ],
        },
        { to: ["10.99.0.11", "10.99.0.12", "10.99.0.13"].map((ip) => ({ ipBlock: { cidr: `${ip}/32` } })), ports: [{ protocol: "TCP", port: 6443 }] },
        { to: [{ ipBlock: { cidr: "10.43.0.1/32" } }], ports: [{ protocol: "TCP", port: 443 }] },
        // minio.example.internal is a name: a NetworkPolicy can only narrow it to its port.
        { to: [{ ipBlock: { cidr: "0.0.0.0/0" } }, { ipBlock: { cidr: "::/0" } }], ports: [{ protocol: "TCP", port: 9000 }] },
      ]);
    });
    it("narrows the store to its address when the endpoint is an IP, and follows node-ip and service-cidr", () => {
      const nodes = [
        { name: "cp-1", host: "cp-1.example.internal", role: "server", hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPccjOlcXIrxIIJsiml2Ovgly3A69oGwGp976UutmiUP", k3sSettings: { "node-ip": "192.0.2.10", "service-cidr": "10.96.0.0/12" } },
        { name: "wk-1", host: "192.0.2.20", role: "agent", hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPccjOlcXIrxIIJsiml2Ovgly3A69oGwGp976UutmiUP" },
      ];
      const raw = rawConfig({ ...withCapability("evidence", { bucket: "b-evidence", endpoint: "https://198.51.100.7:9443" }), kubeBench: { checkFiles: checkFileRoot("security-scan") } }, nodes);
      const c = validateStackConfig(raw);
      const egress = renderScanEgressPolicy(c, validateCapabilities(raw, c)).spec?.egress ?? [];
      assert.deepEqual(egress[1].to, [{ ipBlock: { cidr: "192.0.2.10/32" } }]);
      assert.deepEqual(egress[2].to, [{ ipBlock: { cidr: "10.96.0.1/32" } }]);
      assert.deepEqual(egress[3], { to: [{ ipBlock: { cidr: "198.51.100.7/32" } }], ports: [{ protocol: "TCP", port: 9443 }] });
    });
  });

  describe("deploy-time scans", () => {
    it("creates one Job per node, pinned to it", () => {
      const js = jobs(objects);
      assert.deepEqual(
        js.map((j) => j.metadata?.name?.replace(/-[0-9a-f]{8}$/, "")),
        cfg.nodes.map((n) => `kube-bench-${n.name}`),
      );
      for (const [i, j] of js.entries()) {
        const pod = podOf(j);
        assert.deepEqual(pod.nodeSelector, { "kubernetes.io/hostname": cfg.nodes[i].name });
        assert.deepEqual(pod.tolerations, [{ operator: "Exists" }], "control-plane and other taints are tolerated");
        assert.equal(pod.hostPID, true);
        assert.equal(pod.restartPolicy, "Never");
      }
    });
    it("runs the server targets on servers and the node target on agents, with the benchmark and --json", () => {
      for (const j of jobs(objects)) {
        const node = cfg.nodes.find((n) => n.name === j.metadata?.labels?.["k3s-hardening/node"]);
        assert.ok(node);
        const s = script(podOf(j));
        const targets = node.role === "server" ? "master,etcd,controlplane,policies" : "node";
        assert.match(s, new RegExp(`kube-bench run --config-dir "\\$cfg" --benchmark "\\$bench" --targets ${targets} --json --outputfile "\\$report"`));
        assert.match(s, /bench='k3s-cis-1\.12'/);
      }
    });
    it("mounts the host paths the k3s checks read, read-only", () => {
      const pod = podOf(jobs(objects)[0]);
      const paths = (pod.volumes ?? []).filter((v) => v.hostPath).map((v) => v.hostPath?.path);
      for (const p of ["/var/log", "/run/log", "/var/lib/rancher", "/etc/rancher", "/etc/systemd", "/etc/passwd", "/etc/group", "/var/lib/cni"]) assert.ok(paths.includes(p), p);
      const c = scanContainer(pod);
      for (const m of SCAN_HOST_MOUNTS) {
        const mount = c.volumeMounts?.find((v) => v.name === m.name);
        assert.equal(mount?.mountPath, m.path);
        assert.equal(mount?.readOnly, true, m.path);
      }
    });
    it("uses the pinned image whose default carries journalctl, with resource limits", () => {
      const c = scanContainer(podOf(jobs(objects)[0]));
      assert.equal(c.image, DEFAULT_IMAGES.kubeBench);
      assert.deepEqual(c.resources?.limits, { cpu: "1", memory: "512Mi" });
      assert.ok(c.resources?.requests);
    });
    it("runs as root without capabilities, unprivileged unless asked (the policy pack forbids privileged pods)", () => {
      const sc = scanContainer(podOf(jobs(objects)[0])).securityContext;
      assert.equal(sc?.privileged, undefined);
      assert.equal(sc?.runAsUser, 0);
      assert.deepEqual(sc?.capabilities?.drop, ["ALL"]);
      assert.equal(sc?.allowPrivilegeEscalation, false);
      assert.equal(sc?.readOnlyRootFilesystem, true);
      assert.deepEqual(sc?.seLinuxOptions, { type: "spc_t" });
      const b = build(withCapability("kubeBench", { privileged: true }));
      assert.equal(scanContainer(podOf(renderScanJob(b.cfg, b.caps, b.cfg.nodes[0], "d"))).securityContext?.privileged, true);
      assert.ok(b.caps.warnings.some((w) => /cis-pod-privileged needs an exemption/.test(w)));
    });
    it("sets ttlSecondsAfterFinished, no retries, and Pulumi's await annotations", () => {
      const j = jobs(objects)[0];
      assert.equal(j.spec?.ttlSecondsAfterFinished, 86400);
      assert.equal(j.spec?.backoffLimit, 0);
      assert.equal(j.metadata?.annotations?.[PULUMI_ANNOTATIONS.replaceUnready], "true");
      assert.equal(j.metadata?.annotations?.[PULUMI_ANNOTATIONS.timeoutSeconds], "900");
      assert.equal(j.metadata?.annotations?.[PULUMI_ANNOTATIONS.skipAwait], undefined);
    });
    it("names each scan Job after its spec: a changed scan is a new Job, an unchanged one keeps its name", () => {
      const b = build();
      const name = (digest: string) => renderScanJob(b.cfg, b.caps, b.cfg.nodes[0], digest).metadata?.name;
      assert.equal(name("d1"), name("d1"));
      assert.notEqual(name("d1"), name("d2"));
      const other = build(undefined, { benchmark: "k3s-cis-1.8" });
      assert.notEqual(renderScanJob(other.cfg, other.caps, other.cfg.nodes[0], "d1").metadata?.name, name("d1"));
    });
    it("skips the await when configured", () => {
      const b = build(withCapability("kubeBench", { await: false }));
      const j = renderScanJob(b.cfg, b.caps, b.cfg.nodes[0], "d");
      assert.equal(j.metadata?.annotations?.[PULUMI_ANNOTATIONS.skipAwait], "true");
      assert.equal(j.metadata?.annotations?.[PULUMI_ANNOTATIONS.timeoutSeconds], undefined);
      // A scan nobody waited for may still run at the next diff: replacing unready Jobs would rerun it every time.
      assert.equal(j.metadata?.annotations?.[PULUMI_ANNOTATIONS.replaceUnready], undefined);
    });
    it("changes a node's pod template when its hardening changes, and only that node's role", () => {
      const changed = build(undefined, { audit: { maxAgeDays: 90 } });
      const before = nodeDigests(cfg);
      const after = nodeDigests(changed.cfg);
      for (const n of cfg.nodes) {
        const a = JSON.stringify(renderScanJob(cfg, caps, n, before[n.name]).spec?.template);
        const b = JSON.stringify(renderScanJob(changed.cfg, changed.caps, n, after[n.name]).spec?.template);
        // The audit settings live on servers only.
        if (n.role === "server") assert.notEqual(a, b, n.name);
        else assert.equal(a, b, n.name);
      }
      assert.equal(renderScanJob(cfg, caps, cfg.nodes[0], before["cp-1"]).spec?.template.metadata?.annotations?.["k3s-hardening/hardening-digest"], before["cp-1"]);
    });
    it("changes every pod template when the benchmark changes", () => {
      const b19 = build(undefined, { benchmark: "k3s-cis-1.9" });
      const digests = nodeDigests(b19.cfg);
      for (const n of cfg.nodes) {
        const t = renderScanJob(b19.cfg, b19.caps, n, digests[n.name]).spec?.template;
        assert.equal(t?.metadata?.annotations?.["k3s-hardening/benchmark"], "k3s-cis-1.9");
        assert.match(script(t?.spec as PodSpec), /bench='k3s-cis-1\.9'/);
      }
    });
    it("adds the benchmark's target mapping when the image's config.yaml lacks it, and fails on an empty report", () => {
      const s = script(podOf(jobs(objects)[0]));
      assert.match(s, /sed -n '\/\^target_mapping:\//);
      assert.match(s, /r \/tmp\/target-mapping.yaml/);
      assert.match(s, /jq -e '\(\.Controls \| length\) > 0'/);
      assert.match(s, /set -euo pipefail/);
    });
    it("ships the profile's pinned check files as an immutable ConfigMap that replaces the image's copy", () => {
      const cm = objects.find((o) => o.kind === "ConfigMap") as ConfigMap;
      assert.match(cm.metadata?.name ?? "", /^kube-bench-checks-k3s-cis-1-12-[0-9a-f]{8}$/);
      assert.equal(cm.metadata?.namespace, caps.kubeBench.namespace);
      assert.equal(cm.immutable, true);
      const dir = path.join(checkFileRoot("security-scan"), "k3s-cis-1.12");
      assert.deepEqual(Object.keys(cm.data ?? {}).sort(), fs.readdirSync(dir).sort());
      for (const f of fs.readdirSync(dir)) assert.equal(cm.data?.[f], fs.readFileSync(path.join(dir, f), "utf8"), f);
      for (const o of [...jobs(objects), ...cronJobs(objects)]) {
        const pod = podOf(o);
        assert.deepEqual(pod.volumes?.find((v) => v.name === "check-files")?.configMap, { name: cm.metadata?.name, defaultMode: 0o444 });
        assert.deepEqual(scanContainer(pod).volumeMounts?.find((m) => m.name === "check-files"), { name: "check-files", mountPath: "/etc/kube-bench-checks", readOnly: true });
        const s = script(pod);
        const replace = s.indexOf('rm -rf "$cfg/$bench" && mkdir -p "$cfg/$bench" && cp /etc/kube-bench-checks/*.yaml "$cfg/$bench/"');
        assert.ok(replace > s.indexOf('cp -R "$src/." "$cfg/"') && replace < s.indexOf("kube-bench run"), "replaced after the image's cfg is copied, before the run");
      }
    });
    it("ships kube-bench's own k3s-cis-1.9 files for 1.9 (the image carries Rancher's, which differ)", () => {
      const b19 = build(undefined, { benchmark: "k3s-cis-1.9" });
      const cm = renderKubeBenchObjects(b19.cfg, b19.caps, nodeDigests(b19.cfg)).find((o) => o.kind === "ConfigMap") as ConfigMap;
      assert.equal(cm.data?.["master.yaml"], fs.readFileSync(path.join(checkFileRoot("kube-bench"), "k3s-cis-1.9", "master.yaml"), "utf8"));
      assert.match(cm.metadata?.name ?? "", /^kube-bench-checks-k3s-cis-1-9-/);
    });
    it("scans only the configured nodes", () => {
      const b = build(withCapability("kubeBench", { nodes: ["cp-1", "wk-2"] }));
      const objs = renderKubeBenchObjects(b.cfg, b.caps, nodeDigests(b.cfg));
      const names = jobs(objs).map((j) => j.metadata?.name ?? "");
      assert.equal(names.length, 2);
      assert.match(names[0], /^kube-bench-cp-1-[0-9a-f]{8}$/);
      assert.match(names[1], /^kube-bench-wk-2-[0-9a-f]{8}$/);
      assert.deepEqual(cronJobs(objs).map((j) => j.metadata?.name), ["kube-bench-cron-cp-1", "kube-bench-cron-wk-2"]);
    });
    it("renders no deploy-time Jobs when scanOnDeploy is off", () => {
      const b = build(withCapability("kubeBench", { scanOnDeploy: false }));
      assert.equal(jobs(renderKubeBenchObjects(b.cfg, b.caps, {})).length, 0);
    });
  });

  describe("scheduled scans", () => {
    const cjs = cronJobs(objects);
    it("creates one CronJob per node with the weekly schedule, Forbid and history limits", () => {
      assert.equal(cjs.length, cfg.nodes.length);
      for (const c of cjs) {
        assert.equal(c.spec?.schedule, "0 2 * * 0");
        assert.equal(c.spec?.timeZone, "Etc/UTC");
        assert.equal(c.spec?.concurrencyPolicy, "Forbid");
        assert.equal(c.spec?.successfulJobsHistoryLimit, 3);
        assert.equal(c.spec?.failedJobsHistoryLimit, 3);
      }
    });
    it("scans into an emptyDir, then uploads with the pinned mc to <bucket>/kube-bench/<cluster>/<node>/", () => {
      const pod = podOf(renderScanCronJob(cfg, caps, cfg.nodes[3]));
      assert.deepEqual(pod.initContainers?.map((c) => c.name), ["kube-bench"]);
      assert.deepEqual(pod.containers.map((c) => c.name), ["upload"]);
      assert.ok(pod.volumes?.find((v) => v.name === "reports")?.emptyDir);
      // The pod's name after the scan's time: no two uploads share a key (a second version is an overwrite).
      assert.match(script(pod), /report="\/reports\/\$\(date -u \+%Y%m%dT%H%M%SZ\)-\$\{HOSTNAME\}\.json"/);
      const up = pod.containers[0];
      assert.equal(up.image, DEFAULT_IMAGES.mc);
      assert.match(up.image ?? "", /^quay\.io\/minio\/mc:RELEASE\./);
      const args = up.args ?? [];
      assert.deepEqual(args.slice(0, 5), ["--config-dir", "/tmp/mc", "--quiet", "cp", "--recursive"]);
      assert.deepEqual(args.slice(-2), ["/reports/", "evidence/test-cis-evidence/kube-bench/test/wk-1/"]);
      assert.deepEqual(args.slice(5, 9), ["--retention-mode", "COMPLIANCE", "--retention-duration", "400d"]);
    });
    it("takes the credentials from the Secret as a file, never from args or env values", () => {
      for (const c of cjs) {
        const pod = podOf(c);
        for (const container of [...pod.containers, ...(pod.initContainers ?? [])]) {
          assert.equal(container.envFrom, undefined);
          for (const e of container.env ?? []) assert.equal(e.valueFrom, undefined);
        }
        const up = pod.containers[0];
        assert.deepEqual(up.env, [{ name: "MC_CONFIG_ENV_FILE", value: "/etc/kube-bench-uploader/mc-hosts.env" }]);
        assert.ok(!(up.args ?? []).some((a) => /MC_HOST|@|secret/i.test(a)));
        const vol = pod.volumes?.find((v) => v.name === "uploader-credentials");
        assert.equal(vol?.secret?.secretName, UPLOADER_SECRET_NAME);
        assert.equal(up.volumeMounts?.find((m) => m.name === "uploader-credentials")?.readOnly, true);
      }
    });
    it("fails the Job when the upload fails (no restarts, bounded retries)", () => {
      const c = cjs[0];
      assert.equal(podOf(c).restartPolicy, "Never");
      assert.equal(c.spec?.jobTemplate.spec?.backoffLimit, 1);
      assert.ok((c.spec?.jobTemplate.spec?.activeDeadlineSeconds ?? 0) > 0);
    });
    it("runs the uploader unprivileged", () => {
      const up = podOf(cjs[0]).containers[0];
      assert.equal(up.securityContext?.runAsNonRoot, true);
      assert.equal(up.securityContext?.allowPrivilegeEscalation, false);
      assert.deepEqual(up.securityContext?.capabilities?.drop, ["ALL"]);
    });
    it("uploads without retention flags when locking is off", () => {
      const b = build(withCapability("evidence", { bucket: "test-cis-evidence", endpoint: "https://m.example:9000", objectLocking: false }));
      const args = podOf(renderScanCronJob(b.cfg, b.caps, b.cfg.nodes[0])).containers[0].args ?? [];
      assert.ok(!args.includes("--retention-mode"));
    });
    it("keeps the report in the pod log only when evidence is not configured", () => {
      const b = build(withCapability("evidence", undefined));
      const objs = renderKubeBenchObjects(b.cfg, b.caps, nodeDigests(b.cfg));
      assert.ok(!objs.some((o) => o.kind === "Secret"));
      const pod = podOf(cronJobs(objs)[0]);
      assert.deepEqual(pod.containers.map((c) => c.name), ["kube-bench"]);
      assert.equal(pod.initContainers, undefined);
      assert.ok(!pod.volumes?.some((v) => v.secret));
      assert.match(script(pod), /cat "\$report"/);
    });
  });

  describe("uploader Secret and names", () => {
    it("holds the MinIO alias line under the key the uploader reads", () => {
      const line = renderMcHostLine("https://minio.example.internal:9000", "AKIA1", "s3cr:et/+@x");
      assert.equal(line, "MC_HOST_evidence=https://AKIA1:s3cr:et/+@x@minio.example.internal:9000\n");
      const s = renderUploaderSecret(caps, line);
      assert.equal(s.metadata?.namespace, "kube-bench");
      assert.deepEqual(s.stringData, { "mc-hosts.env": line });
    });
    it("bounds long node names and keeps them distinct", () => {
      const long = "a".repeat(60);
      assert.ok(scanJobName(long, "0123456789abcdef").length <= 63);
      assert.equal(scanJobName("cp-1", "0123456789abcdef"), "kube-bench-cp-1-01234567");
      assert.notEqual(scanJobName(`${long}-x`, "0123456789abcdef"), scanJobName(`${long}-y`, "0123456789abcdef"));
      assert.ok(scanCronJobName(long).length <= 52);
      assert.notEqual(scanCronJobName(`${long}-x`), scanCronJobName(`${long}-y`));
      assert.equal(boundedName("kube-bench-", "cp-1", 63), "kube-bench-cp-1");
    });
  });
});
