/**
 * Reading the namespaces that exist at deploy time. pulumi-kubernetes has no invoke that lists objects,
 * so the program asks the API server itself with @kubernetes/client-node (1.x is ESM-only: loaded with a
 * real dynamic import, which TypeScript's CommonJS output would otherwise turn into require()).
 */

/** Lists namespace names; rejects when the cluster cannot be read. */
export type NamespaceLister = () => Promise<string[]>;

/** Where the cluster is: kubeconfig contents or a file path, and a context. Nothing set: KUBECONFIG or ~/.kube/config. */
export interface ClusterAccess {
  kubeconfig?: string;
  kubeconfigPath?: string;
  context?: string;
}

/** The part of @kubernetes/client-node used here. */
interface ClientNode {
  KubeConfig: new () => {
    loadFromString(s: string): void;
    loadFromFile(p: string): void;
    loadFromDefault(): void;
    setCurrentContext(c: string): void;
    makeApiClient<T>(api: new (...args: never[]) => T): T;
  };
  CoreV1Api: new (...args: never[]) => {
    listNamespace(): Promise<{ items: Array<{ metadata?: { name?: string }; status?: { phase?: string } }> }>;
  };
}

const importModule = new Function("specifier", "return import(specifier)") as (specifier: string) => Promise<unknown>;

/** Loads @kubernetes/client-node (ESM) from CommonJS code. */
export async function loadClientNode(): Promise<ClientNode> {
  return (await importModule("@kubernetes/client-node")) as ClientNode;
}

/**
 * A lister for the cluster at `access`. Namespaces being deleted (phase Terminating) are left out: a
 * patch there would fail or recreate the ServiceAccount in a dying namespace.
 */
export function clusterNamespaceLister(access: ClusterAccess, timeoutMs = 15000): NamespaceLister {
  return async () => {
    const k8s = await loadClientNode();
    const kc = new k8s.KubeConfig();
    if (access.kubeconfig !== undefined) kc.loadFromString(access.kubeconfig);
    else if (access.kubeconfigPath !== undefined) kc.loadFromFile(access.kubeconfigPath);
    else kc.loadFromDefault();
    if (access.context !== undefined) kc.setCurrentContext(access.context);
    const api = kc.makeApiClient(k8s.CoreV1Api);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer from the API server within ${timeoutMs / 1000}s`)), timeoutMs);
    });
    try {
      const list = await Promise.race([api.listNamespace(), timeout]);
      return list.items
        .filter((ns) => ns.status?.phase !== "Terminating")
        .map((ns) => ns.metadata?.name)
        .filter((n): n is string => typeof n === "string" && n !== "");
    } finally {
      if (timer) clearTimeout(timer);
    }
  };
}

/** The namespaces, or undefined (with the reason) when the cluster cannot be read. */
export async function discoverNamespaces(lister: NamespaceLister): Promise<{ namespaces?: string[]; error?: string }> {
  try {
    return { namespaces: await lister() };
  } catch (e) {
    return { error: (e as Error).message ?? String(e) };
  }
}
