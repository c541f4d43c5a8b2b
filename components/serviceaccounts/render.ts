/**
 * CIS 5.1.5: no token for the `default` ServiceAccount. Which namespaces get the patch, and the patch
 * itself as a plain (partial) ServiceAccount object, applied with server-side apply.
 */
import { ServiceAccountSettings } from "../config/capabilities";
import { PULUMI_ANNOTATIONS } from "../kubebench/facts";
import { ServiceAccount } from "../kubebench/objects";

/**
 * The namespaces whose `default` ServiceAccount is patched: the configured ones, the ones this stack
 * creates and, when the cluster could be read, the ones that exist now; minus the exclusions. Sorted.
 */
export function lockdownNamespaces(settings: ServiceAccountSettings, created: readonly string[], discovered: readonly string[] | undefined): string[] {
  const all = new Set([...settings.namespaces, ...created, ...(discovered ?? [])]);
  for (const ns of settings.exclude) all.delete(ns);
  return [...all].sort();
}

/**
 * The patch for one namespace. `pulumi.com/patchForce` takes the field over from whoever set it before
 * (e.g. an earlier `kubectl patch`), since the point is that it ends up false.
 */
export function renderDefaultServiceAccountPatch(namespace: string): ServiceAccount {
  return {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: {
      name: "default",
      namespace,
      annotations: { [PULUMI_ANNOTATIONS.patchForce]: "true" },
    },
    automountServiceAccountToken: false,
  };
}

/**
 * Whether every namespace's `default` ServiceAccount ends up locked at each `up` (what CIS 5.1.5's audit
 * asks; kube-bench's k3s audit exempts kube-system).
 */
export function locksEveryDefaultServiceAccount(settings: ServiceAccountSettings): boolean {
  return settings.enabled && settings.discover && settings.exclude.every((ns) => ns === "kube-system");
}

export function renderServiceAccountPatches(settings: ServiceAccountSettings, created: readonly string[], discovered: readonly string[] | undefined): ServiceAccount[] {
  if (!settings.enabled) return [];
  return lockdownNamespaces(settings, created, discovered).map(renderDefaultServiceAccountPatch);
}
