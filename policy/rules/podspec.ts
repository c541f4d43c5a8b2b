/**
 * The pod spec of every pod-bearing kind, and its containers of all three sorts.
 */
import { asArray, asObject, asString, isUnknownValueError, path, readOr } from "./access";
import { KubeObject } from "./types";

/** Where the pod spec lives in each workload kind. */
const POD_SPEC_PATH: { readonly [kind: string]: readonly string[] } = {
  Pod: ["spec"],
  Deployment: ["spec", "template", "spec"],
  StatefulSet: ["spec", "template", "spec"],
  DaemonSet: ["spec", "template", "spec"],
  ReplicaSet: ["spec", "template", "spec"],
  Job: ["spec", "template", "spec"],
  CronJob: ["spec", "jobTemplate", "spec", "template", "spec"],
};

/** The JSON path of the pod spec inside `kind`, for messages and remediation writes. */
export function podSpecPath(kind: string): readonly string[] | undefined {
  return POD_SPEC_PATH[kind];
}

/** The pod spec of a workload, or undefined (a Patch may leave it out). */
export function podSpecOf(kind: string, obj: KubeObject): KubeObject | undefined {
  const p = POD_SPEC_PATH[kind];
  return p ? asObject(path(obj, ...p)) : undefined;
}

export type ContainerSort = "containers" | "initContainers" | "ephemeralContainers";
export const CONTAINER_SORTS: readonly ContainerSort[] = ["containers", "initContainers", "ephemeralContainers"];

const SORT_LABEL: Record<ContainerSort, string> = {
  containers: "container",
  initContainers: "init container",
  ephemeralContainers: "ephemeral container",
};

/** One container of a pod spec, with where it sits (for messages and remediation writes). */
export class ContainerRef {
  private cachedName: string | undefined;

  constructor(
    readonly sort: ContainerSort,
    readonly index: number,
    readonly spec: KubeObject,
  ) {}

  /** The container's name (display and exemption matching); "#<index>" when absent or unknown. */
  get name(): string {
    if (this.cachedName === undefined) {
      const fallback = `#${this.index}`;
      this.cachedName = readOr(() => asString(this.spec.name) ?? fallback, fallback);
    }
    return this.cachedName;
  }

  /** `container "app"` / `init container "setup"` for messages. */
  get label(): string {
    return `${SORT_LABEL[this.sort]} "${this.name}"`;
  }
}

// Every rule walks the same pod spec; plain objects keep their identity, so the list is built once.
const containerCache = new WeakMap<object, ContainerRef[]>();

/** Every container, init container and ephemeral container of a pod spec, in that order. */
export function containersOf(podSpec: KubeObject | undefined): ContainerRef[] {
  if (!podSpec) return [];
  const hit = containerCache.get(podSpec);
  if (hit) return hit;
  const out: ContainerRef[] = [];
  for (const sort of CONTAINER_SORTS) {
    const list = asArray(podSpec[sort]);
    for (let index = 0; index < list.length; index++) {
      const spec = asObject(list[index]);
      if (spec) out.push(new ContainerRef(sort, index, spec));
    }
  }
  containerCache.set(podSpec, out);
  return out;
}

/** A container's securityContext, if it is an object. */
export function containerSecurityContext(c: ContainerRef): KubeObject | undefined {
  return asObject(c.spec.securityContext);
}

/** The pod-level securityContext, if it is an object. */
export function podSecurityContext(podSpec: KubeObject): KubeObject | undefined {
  return asObject(podSpec.securityContext);
}

/** Normalised capability names (upper case, without a `CAP_` prefix). */
export function capabilityList(v: unknown): string[] {
  return asArray(v)
    .filter((x): x is string => typeof x === "string")
    .map((x) => x.toUpperCase().replace(/^CAP_/, ""));
}

/**
 * Runs `check` for every container. A container whose decisive fields are unknown during preview does
 * not stop the others: the first unknown-value error is re-raised once all containers are checked, so
 * the violations found in the other containers are reported before the SDK's advisory note.
 */
export function forEachContainer(podSpec: KubeObject | undefined, check: (c: ContainerRef) => void): void {
  let unknown: unknown;
  for (const c of containersOf(podSpec)) {
    try {
      check(c);
    } catch (e) {
      if (!isUnknownValueError(e)) throw e;
      unknown ??= e;
    }
  }
  if (unknown !== undefined) throw unknown;
}
