/**
 * Exemptions from policy config: `{namespace?, kind?, name?, container?, reason}`. Every given matcher
 * must match (globs: `*` any run of characters, `?` one character); `reason` is required and is what the
 * engine records for the exempt resource ("not applicable: exempted: <reason>").
 *
 * - Without `container` an exemption covers the whole resource: the policy does not judge it.
 * - With `container` it covers that container's findings only; pod-level findings (hostPID, hostPath
 *   volumes, ...) still count. When every finding of a resource is covered, the resource is reported
 *   not applicable with the reasons.
 * - `namespace` never matches a cluster-scoped object. `name` matches metadata.name, and inside the
 *   engine also the Pulumi resource name (autonaming adds a suffix to metadata.name).
 */
import { asString, isObject, path } from "./access";
import { JsonSchema, KubeObject, ResourceTarget } from "./types";

export interface Exemption {
  namespace?: string;
  kind?: string;
  name?: string;
  container?: string;
  reason: string;
}

export const EXEMPTIONS_SCHEMA: JsonSchema = {
  type: "array",
  description: "Resources this policy does not judge. Each entry needs a reason and at least one of namespace, kind, name, container (globs).",
  items: {
    type: "object",
    properties: {
      namespace: { type: "string", minLength: 1 },
      kind: { type: "string", minLength: 1 },
      name: { type: "string", minLength: 1 },
      container: { type: "string", minLength: 1 },
      reason: { type: "string", minLength: 1 },
    },
    required: ["reason"],
    minProperties: 2,
    additionalProperties: false,
  },
  default: [],
};

interface CompiledExemption {
  raw: Exemption;
  namespace?: RegExp;
  kind?: RegExp;
  name?: RegExp;
  container?: RegExp;
}

export function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${body}$`);
}

const compiledCache = new WeakMap<object, CompiledExemption[]>();

/** Compiles the `exemptions` config value (validated by the schema beforehand; bad entries are skipped). */
export function compileExemptions(value: unknown): CompiledExemption[] {
  if (!Array.isArray(value)) return [];
  const hit = compiledCache.get(value);
  if (hit) return hit;
  const out: CompiledExemption[] = [];
  for (const e of value) {
    if (!isObject(e) || typeof e.reason !== "string" || e.reason.trim() === "") continue;
    const raw: Exemption = { reason: e.reason };
    const c: CompiledExemption = { raw };
    for (const key of ["namespace", "kind", "name", "container"] as const) {
      const v = e[key];
      if (typeof v === "string") {
        raw[key] = v;
        c[key] = globToRegExp(v);
      }
    }
    out.push(c);
  }
  compiledCache.set(value, out);
  return out;
}

/** Lazily read identity of a resource: fields are read only when an exemption asks for them. */
export class ResourceIdentity {
  private nameValue: string | undefined | null = null;
  private namespaceValue: string | undefined | null = null;

  constructor(private readonly target: ResourceTarget) {}

  get kind(): string {
    return this.target.kind;
  }

  /** metadata.name (may throw the SDK's unknown-value error during preview). */
  get name(): string | undefined {
    if (this.nameValue === null) this.nameValue = asString(path(this.target.obj, "metadata", "name"));
    return this.nameValue;
  }

  /** The namespace the resource lands in; undefined for cluster-scoped kinds. */
  get namespace(): string | undefined {
    if (this.namespaceValue === null) this.namespaceValue = this.target.namespaced ? resolveNamespace(this.target) : undefined;
    return this.namespaceValue;
  }

  get aliases(): readonly string[] {
    return this.target.aliases ?? [];
  }
}

/** metadata.namespace, else the provider's namespace, else `default`. */
export function resolveNamespace(target: { obj: KubeObject; providerNamespace?: () => string | undefined }): string {
  const own = asString(path(target.obj, "metadata", "namespace"));
  if (own) return own;
  return target.providerNamespace?.() || "default";
}

function matchesResource(e: CompiledExemption, id: ResourceIdentity): boolean {
  if (e.kind && !e.kind.test(id.kind)) return false;
  if (e.namespace) {
    const ns = id.namespace;
    if (ns === undefined || !e.namespace.test(ns)) return false;
  }
  if (e.name) {
    const re = e.name;
    const name = id.name;
    if (!(name !== undefined && re.test(name)) && !id.aliases.some((a) => re.test(a))) return false;
  }
  return true;
}

/** The first exemption (without `container`) covering the whole resource. */
export function resourceExemption(list: readonly CompiledExemption[], id: ResourceIdentity): Exemption | undefined {
  for (const e of list) if (!e.container && matchesResource(e, id)) return e.raw;
  return undefined;
}

/** The first container exemption covering `container` of this resource. */
export function containerExemption(list: readonly CompiledExemption[], id: ResourceIdentity, container: string): Exemption | undefined {
  for (const e of list) if (e.container && e.container.test(container) && matchesResource(e, id)) return e.raw;
  return undefined;
}

export function hasContainerExemptions(list: readonly CompiledExemption[]): boolean {
  return list.some((e) => e.container !== undefined);
}

/**
 * Stack policies judge parts of the stack (a Namespace, a node): an exemption covers one when its `kind`
 * (if any) matches the part's kind (`Namespace`, `Node`) and its `name` glob (if any) matches the part's
 * name; a `namespace` glob matches a Namespace's own name and never a node. Container exemptions do
 * not apply.
 */
export function stackExemption(list: readonly CompiledExemption[], kind: string, name: string): Exemption | undefined {
  for (const e of list) {
    if (e.container) continue;
    if (e.kind && !e.kind.test(kind)) continue;
    if (e.name && !e.name.test(name)) continue;
    if (e.namespace && !(kind === "Namespace" && e.namespace.test(name))) continue;
    return e.raw;
  }
  return undefined;
}
