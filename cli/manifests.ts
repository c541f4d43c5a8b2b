/**
 * Kubernetes objects the stack would create, for the render command: the same pure renderers the
 * components use, with placeholders where a value only exists after `pulumi up` (the uploader's MinIO
 * credentials). One object per file under <out>/manifests/<capability>/, plus the non-Kubernetes
 * artefacts (the Alloy configuration, the MinIO bucket) as .alloy/.json files so that every .yaml file
 * holds Kubernetes objects only (`npm run scan` reads them).
 */
import * as YAML from "yaml";
import { CapabilitiesConfig, validateCapabilities } from "../components/config/capabilities";
import type { StackPod } from "../components/k3s/evaluate";
import { StackFile } from "../components/config/load";
import { StackConfig } from "../components/config/types";
import { describeEvidenceBucket } from "../components/evidence/render";
import { renderNodeBundle } from "../components/k3s/render";
import { ClusterSideObject } from "../components/kubebench/objects";
import { renderKubeBenchObjects } from "../components/kubebench/render";
import { ALLOY } from "../components/kubebench/facts";
import { renderAlloyConfig, renderAuditShippingObjects } from "../components/logs/render";
import { bundleDigest } from "../components/node/script";
import { renderServiceAccountPatches } from "../components/serviceaccounts/render";

export interface RenderedManifest {
  /** Path under <out>/manifests/. */
  file: string;
  content: string;
}

/** The hardening digest of every node, as NodeHardening computes it (review bundle, secrets masked). */
export function nodeDigests(cfg: StackConfig): Record<string, string> {
  return Object.fromEntries(cfg.nodes.map((n) => [n.name, bundleDigest(renderNodeBundle(cfg, n))]));
}

function fileName(obj: ClusterSideObject): string {
  const kind = (obj.kind ?? "object").toLowerCase();
  const name = obj.metadata?.name ?? "unnamed";
  // Several namespaces hold a `default` ServiceAccount patch.
  return obj.metadata?.namespace && kind === "serviceaccount" && name === "default" ? `${kind}-${obj.metadata.namespace}-${name}.yaml` : `${kind}-${name}.yaml`;
}

function yamlFile(dir: string, obj: ClusterSideObject, header: string): RenderedManifest {
  return { file: `${dir}/${fileName(obj)}`, content: `${header}${YAML.stringify(obj, { lineWidth: 0, aliasDuplicateObjects: false })}` };
}

/**
 * Every cluster-side object, grouped by capability directory. Namespaces the cluster holds at deploy
 * time are unknown here: the ServiceAccount patches cover the configured namespaces and the ones the
 * stack creates (`pulumi up` adds the discovered ones).
 */
export function renderClusterSideObjects(cfg: StackConfig, caps: CapabilitiesConfig): Array<{ dir: string; objects: ClusterSideObject[] }> {
  if (!caps.kubernetes.enabled) return [];
  const created: string[] = [];
  if (caps.kubeBench.enabled) created.push(caps.kubeBench.namespace);
  if (caps.auditShipping.enabled && caps.auditShipping.createNamespace) created.push(caps.auditShipping.namespace);
  return [
    { dir: "kube-bench", objects: renderKubeBenchObjects(cfg, caps, nodeDigests(cfg)) },
    { dir: "audit-logs", objects: renderAuditShippingObjects(cfg, caps) },
    { dir: "serviceaccounts", objects: renderServiceAccountPatches(caps.serviceAccounts, created, undefined) },
  ];
}

/**
 * The render command's manifests. `caps` is validated from the stack file when not given; the caller
 * validates first when it must not write anything for a bad configuration.
 */
export function renderManifests(cfg: StackConfig, stack: StackFile, caps: CapabilitiesConfig = validateCapabilities(stack.raw, cfg)): RenderedManifest[] {
  const header = `# Rendered by k3s-hardening for stack ${stack.stack} (cluster ${cfg.cluster}); secrets are placeholders.\n`;
  const out: RenderedManifest[] = [];
  for (const group of renderClusterSideObjects(cfg, caps)) {
    for (const obj of group.objects) out.push(yamlFile(group.dir, obj, header));
  }
  if (caps.kubernetes.enabled && caps.auditShipping.enabled) {
    out.push({ file: `audit-logs/${ALLOY.configFile}`, content: renderAlloyConfig(cfg, caps) });
  }
  if (caps.kubernetes.enabled && caps.kubeBench.enabled && caps.evidence.enabled) {
    out.push({ file: "evidence/minio-bucket.json", content: `${JSON.stringify(describeEvidenceBucket(caps.evidence, cfg.cluster), null, 2)}\n` });
  }
  return out;
}

/** The Pods the stack's cluster-side objects run, as the `policies` audits see them (for the prediction). */
export function stackPods(cfg: StackConfig, caps: CapabilitiesConfig): StackPod[] {
  const pods: StackPod[] = [];
  for (const group of renderClusterSideObjects(cfg, caps)) {
    for (const obj of group.objects) {
      const spec =
        obj.kind === "Job" || obj.kind === "DaemonSet"
          ? obj.spec?.template.spec
          : obj.kind === "CronJob"
            ? obj.spec?.jobTemplate.spec?.template.spec
            : undefined;
      if (!spec) continue;
      pods.push({
        name: `${obj.kind} ${obj.metadata?.namespace}/${obj.metadata?.name}`,
        ...(spec.hostPID !== undefined ? { hostPID: spec.hostPID } : {}),
        ...(spec.hostIPC !== undefined ? { hostIPC: spec.hostIPC } : {}),
        ...(spec.hostNetwork !== undefined ? { hostNetwork: spec.hostNetwork } : {}),
        containers: spec.containers.map((c) => ({ name: c.name, ...(c.securityContext ? { securityContext: c.securityContext } : {}) })),
      });
    }
  }
  return pods;
}
