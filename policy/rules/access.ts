/**
 * Defensive readers over Kubernetes objects.
 *
 * Inside the engine, resource properties arrive wrapped in @pulumi/policy's unknown-checking proxy: reading
 * a value that is unknown during preview throws `UnknownValueError`, and the SDK turns that into an
 * advisory "can't run policy during preview" note. Rules let that error propagate for every field their
 * verdict depends on (no try/catch around decisions), so an unknown input never becomes a false
 * violation. Only display-only values (names in messages) are read through `readOr`, which recognises
 * the SDK's error by shape (it carries `unknownTypeSentinel`) without importing @pulumi/policy.
 */
import { KubeObject } from "./types";

export function isObject(v: unknown): v is KubeObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function asObject(v: unknown): KubeObject | undefined {
  return isObject(v) ? v : undefined;
}

/**
 * The elements of an array as a plain array (elements themselves untouched). Never call filter/map/...
 * on a property array directly: inside the engine it is the SDK's proxy, and species-creating Array
 * methods over the remediation proxy break a V8 proxy invariant (TypeError on 'prototype').
 */
export function asArray(v: unknown): readonly unknown[] {
  if (!Array.isArray(v)) return [];
  const out: unknown[] = [];
  for (let i = 0; i < v.length; i++) out.push(v[i]);
  return out;
}

export function asString(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

/** obj.a.b.c, undefined as soon as a step is missing or not an object. */
export function path(obj: unknown, ...keys: string[]): unknown {
  let cur: unknown = obj;
  for (const k of keys) {
    if (!isObject(cur)) return undefined;
    cur = cur[k];
  }
  return cur;
}

/** True for the error the policy SDK throws when a property is unknown during preview. */
export function isUnknownValueError(e: unknown): e is Error {
  return e instanceof Error && typeof (e as { unknownTypeSentinel?: unknown }).unknownTypeSentinel === "string";
}

/** Reads a display-only value; an unknown value yields `fallback` instead of aborting the rule. */
export function readOr<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch (e) {
    if (isUnknownValueError(e)) return fallback;
    throw e;
  }
}

/**
 * Collects "could not decide because a value is unknown" while a rule goes on with what it can decide.
 * `rethrow()` re-raises the first such error so the SDK records its advisory note.
 */
export class UnknownTracker {
  private first: Error | undefined;

  /** Runs `read`; on an unknown value remembers the error and returns `fallback`. */
  read<T>(read: () => T, fallback: T): T {
    try {
      return read();
    } catch (e) {
      if (!isUnknownValueError(e)) throw e;
      this.first ??= e;
      return fallback;
    }
  }

  get sawUnknown(): boolean {
    return this.first !== undefined;
  }

  rethrow(): void {
    if (this.first) throw this.first;
  }
}

/** `metadata.name`, or a placeholder when it is absent or unknown. */
export function nameOf(obj: KubeObject): string {
  return readOr(() => asString(path(obj, "metadata", "name")) ?? "(unnamed)", "(unknown name)");
}
