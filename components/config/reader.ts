/**
 * Reading raw configuration values with defaults while collecting every problem. Each problem names the
 * key and the fix; the caller throws one ConfigError with all of them. Shared by the stack configuration
 * (validate.ts) and the cluster-side capabilities (capabilities.ts).
 */
import { SecretValue } from "./types";

export type Obj = Record<string, unknown>;

/** Raised with every problem found; `problems` holds one line per problem. */
export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`invalid stack configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/**
 * Raw configuration as the caller read it: keys without the project prefix. A secret may arrive as its
 * plaintext (from the Pulumi engine, with its key listed in `secretKeys`) or as `{ secure: "..." }` (from a
 * stack file read without the engine; its plaintext is then unknown and a placeholder is used).
 */
export interface RawStackConfig {
  values: Record<string, unknown>;
  /** Top-level keys the engine reports as secret (nested secure values make the whole key secret). */
  secretKeys: ReadonlySet<string>;
  /** "file": read from Pulumi.<stack>.yaml, where every secret must be a `{secure}` value. */
  source?: "engine" | "file";
  /** The project folder: relative paths in the configuration resolve from it (default: the working directory). */
  baseDir?: string;
}

/** A DNS label (RFC 1123): Kubernetes names, node names, cluster names. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function isSecureMarker(v: unknown): v is { secure: string } {
  return isObj(v) && typeof v.secure === "string" && Object.keys(v).length === 1;
}

/** A short description of a bad value for an error message (long strings cut). */
export function describe(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
  if (Array.isArray(v)) return "a list";
  if (v === null) return "null";
  if (typeof v === "object") return "an object";
  return String(v);
}

/** Collects problems while reading values with defaults. A default of `undefined` means required. */
export class Reader {
  readonly problems: string[] = [];
  readonly warnings: string[] = [];

  problem(key: string, msg: string): void {
    this.problems.push(`${key}: ${msg}`);
  }

  object(key: string, v: unknown): Obj {
    if (v === undefined || v === null) return {};
    if (!isObj(v)) {
      this.problem(key, `must be an object, got ${describe(v)}`);
      return {};
    }
    return v;
  }

  unknownKeys(key: string, obj: Obj, known: readonly string[]): void {
    for (const k of Object.keys(obj)) {
      if (!known.includes(k)) this.problem(`${key}.${k}`, `unknown key; known keys are ${known.join(", ")}`);
    }
  }

  bool(key: string, v: unknown, def: boolean): boolean {
    if (v === undefined || v === null) return def;
    if (typeof v === "boolean") return v;
    if (v === "true" || v === "false") return v === "true";
    this.problem(key, `must be true or false, got ${describe(v)}`);
    return def;
  }

  int(key: string, v: unknown, def: number | undefined, min: number, max: number, fix = ""): number {
    if (v === undefined || v === null) {
      if (def === undefined) {
        this.problem(key, "is required");
        return min;
      }
      return def;
    }
    const n = typeof v === "string" && /^-?\d+$/.test(v) ? Number(v) : v;
    if (typeof n !== "number" || !Number.isInteger(n) || n < min || n > max) {
      this.problem(key, `must be a whole number from ${min} to ${max}, got ${describe(v)}${fix ? `; ${fix}` : ""}`);
      return def ?? min;
    }
    return n;
  }

  str(key: string, v: unknown, def: string | undefined, fix = ""): string {
    if (v === undefined || v === null) {
      if (def === undefined) {
        this.problem(key, `is required${fix ? `; ${fix}` : ""}`);
        return "";
      }
      return def;
    }
    if (typeof v !== "string" || v.trim() === "") {
      this.problem(key, `must be a non-empty string, got ${describe(v)}`);
      return def ?? "";
    }
    return v;
  }

  optionalStr(key: string, v: unknown): string | undefined {
    return v === undefined || v === null ? undefined : this.str(key, v, undefined);
  }

  strList(key: string, v: unknown, def: readonly string[]): string[] {
    if (v === undefined || v === null) return [...def];
    if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) {
      this.problem(key, `must be a list of strings, got ${describe(v)}`);
      return [...def];
    }
    return v as string[];
  }

  oneOf<T extends string>(key: string, v: unknown, allowed: readonly T[], def: T | undefined): T {
    if (v === undefined || v === null) {
      if (def === undefined) {
        this.problem(key, `is required; use one of ${allowed.join(", ")}`);
        return allowed[0];
      }
      return def;
    }
    if (typeof v !== "string" || !(allowed as readonly string[]).includes(v)) {
      this.problem(key, `must be one of ${allowed.join(", ")}, got ${describe(v)}`);
      return def ?? allowed[0];
    }
    return v as T;
  }

  /**
   * A secret value: from the engine (plaintext; its top-level key must be secret) or a `{secure}` marker
   * from a stack file (plaintext unknown: a placeholder stands in).
   */
  secret(key: string, v: unknown, topKey: string, raw: RawStackConfig, placeholder = `<secret: ${key}>`): SecretValue | undefined {
    if (v === undefined || v === null) return undefined;
    if (isSecureMarker(v)) return { kind: "secret", value: placeholder };
    if (typeof v !== "string" || v.trim() === "") {
      this.problem(key, "must be a secret string");
      return undefined;
    }
    if (raw.source === "file" || !raw.secretKeys.has(topKey)) {
      this.problem(key, `is stored in plain text; store it encrypted: pulumi config set --secret --path '${key}' -- "$(cat <file>)"`);
      return undefined;
    }
    return { kind: "secret", value: v };
  }
}
