/**
 * Policy config: the engine's `--policy-pack-config` file format, read the same way by the pack (the
 * engine hands each policy its own properties) and by `npm run scan` (which reads the file itself).
 *
 * File: a JSON object keyed by policy name. A value is an enforcement level, or an object with an
 * optional `enforcementLevel` plus the policy's properties (`exemptions`, rule options). The key `all`
 * sets the level of every policy (only the level). Precedence, as in the engine: the policy's default
 * level, then `all`, then the policy's own entry.
 */
import {
  Benchmark,
  Control,
  Severity,
  SUPPORTED_BENCHMARKS,
  isBenchmarkId,
  BenchmarkId,
  CURRENT_BENCHMARK,
  benchmarkForVersion,
  kubernetesMinor,
} from "../../components/cis";
import { isObject } from "./access";
import { EXEMPTIONS_SCHEMA } from "./exemptions";
import { JsonSchema } from "./types";

export type EnforcementLevel = "advisory" | "mandatory" | "remediate" | "disabled";
export const ENFORCEMENT_LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

export type PackConfig = { [policy: string]: unknown };

/** Mandatory for the catalog's critical controls, advisory for the rest. */
export function defaultLevelFor(severity: Severity): EnforcementLevel {
  return severity === "critical" ? "mandatory" : "advisory";
}

export function isEnforcementLevel(v: unknown): v is EnforcementLevel {
  return typeof v === "string" && (ENFORCEMENT_LEVELS as readonly string[]).includes(v);
}

/** The level that applies to `policy` under `config`. */
export function effectiveLevel(config: PackConfig, policy: string, policyDefault: EnforcementLevel): EnforcementLevel {
  let level = policyDefault;
  const all = config.all;
  if (isEnforcementLevel(all)) level = all;
  else if (isObject(all) && isEnforcementLevel(all.enforcementLevel)) level = all.enforcementLevel;
  const own = config[policy];
  if (isEnforcementLevel(own)) level = own;
  else if (isObject(own) && isEnforcementLevel(own.enforcementLevel)) level = own.enforcementLevel;
  return level;
}

/** The config schema of a policy: `exemptions` plus its options (no `enforcementLevel`, the SDK forbids it). */
export function configSchemaFor(options: { [key: string]: JsonSchema } | undefined, exemptable = true): { properties: { [key: string]: JsonSchema } } {
  return { properties: { ...(exemptable ? { exemptions: EXEMPTIONS_SCHEMA } : {}), ...(options ?? {}) } };
}

/** A policy's properties from the file with schema defaults filled in (what the engine hands the pack). */
export function policyProperties(config: PackConfig, policy: string, schema: { properties: { [key: string]: JsonSchema } }): { [key: string]: unknown } {
  const props: { [key: string]: unknown } = {};
  for (const [k, s] of Object.entries(schema.properties)) if (s.default !== undefined) props[k] = s.default;
  const own = config[policy];
  if (isObject(own)) for (const [k, v] of Object.entries(own)) if (k !== "enforcementLevel") props[k] = v;
  return props;
}

/** Checks a value against the draft-7 subset the pack's schemas use; returns "path: problem" lines. */
export function schemaErrors(value: unknown, schema: JsonSchema, at: string): string[] {
  const errs: string[] = [];
  const t = schema.type;
  const typeOk =
    t === undefined ||
    (t === "array" ? Array.isArray(value) : t === "object" ? isObject(value) : t === "integer" ? Number.isInteger(value) : t === "null" ? value === null : typeof value === t);
  if (!typeOk) return [`${at}: expected ${t}`];
  if (schema.enum && !(schema.enum as unknown[]).includes(value)) errs.push(`${at}: must be one of ${schema.enum.map((e) => JSON.stringify(e)).join(", ")}`);
  if (typeof value === "string" && schema.minLength !== undefined && value.length < schema.minLength) errs.push(`${at}: must not be empty`);
  if (Array.isArray(value) && schema.items) value.forEach((v, i) => errs.push(...schemaErrors(v, schema.items as JsonSchema, `${at}[${i}]`)));
  if (isObject(value)) {
    for (const r of schema.required ?? []) if (!(r in value)) errs.push(`${at}: ${r} is required`);
    if (schema.minProperties !== undefined && Object.keys(value).length < schema.minProperties) {
      errs.push(`${at}: needs at least ${schema.minProperties} properties`);
    }
    for (const [k, v] of Object.entries(value)) {
      const sub = schema.properties?.[k];
      if (sub) errs.push(...schemaErrors(v, sub, `${at}.${k}`));
      else if (schema.additionalProperties === false) errs.push(`${at}: unknown property ${k}`);
    }
  }
  return errs;
}

/** Validates a whole config file against the pack's policies; returns readable problems. */
export function validatePackConfig(config: unknown, policies: ReadonlyMap<string, { properties: { [key: string]: JsonSchema } }>): string[] {
  if (!isObject(config)) return ["config: expected a JSON object keyed by policy name"];
  const errs: string[] = [];
  for (const [key, value] of Object.entries(config)) {
    // The engine passes unknown keys through unchecked; the scanner says so rather than guess.
    if (key !== "all" && !policies.has(key)) {
      errs.push(`${key}: no such policy in the pack`);
      continue;
    }
    if (typeof value === "string") {
      if (!isEnforcementLevel(value)) errs.push(`${key}: "${value}" is not an enforcement level (${ENFORCEMENT_LEVELS.join(", ")})`);
      continue;
    }
    if (!isObject(value)) {
      errs.push(`${key}: must be an enforcement level or an object`);
      continue;
    }
    if (value.enforcementLevel !== undefined && !isEnforcementLevel(value.enforcementLevel)) {
      errs.push(`${key}.enforcementLevel: "${String(value.enforcementLevel)}" is not an enforcement level`);
    }
    const schema = policies.get(key);
    if (!schema) continue;
    const { enforcementLevel: _ignored, ...props } = value;
    errs.push(...schemaErrors(props, { type: "object", properties: schema.properties }, key));
  }
  return errs;
}

// ---------------------------------------------------------------------------------------------------
// Benchmark selection

/** The stack's own default (components/config/defaults.ts), so pack and program agree. */
export const DEFAULT_BENCHMARK: BenchmarkId = CURRENT_BENCHMARK;
/** Environment variable that selects the benchmark for the pack and the scanner. */
export const BENCHMARK_ENV = "K3S_CIS_BENCHMARK";
/** The pack-level policy whose `benchmark` property states the benchmark a config was written for. */
export const BENCHMARK_POLICY = "cis-benchmark";

export interface BenchmarkChoice {
  id: BenchmarkId;
  /** Where the choice came from, for messages. */
  source: string;
}

function checked(value: string, source: string): BenchmarkChoice {
  if (!isBenchmarkId(value)) {
    throw new Error(`${source}: "${value}" is not a supported benchmark; use one of ${SUPPORTED_BENCHMARKS.join(", ")}`);
  }
  return { id: value, source };
}

/**
 * The benchmark the pack loads with. Policy metadata (framework reference, severity, default level) is
 * sent to the engine before any policy config arrives, so it is chosen from what the process can see at
 * load: the K3S_CIS_BENCHMARK variable, else the stack's `<project>:benchmark` config (the engine passes
 * stack config to the pack as PULUMI_CONFIG), else the profile the version table gives for the stack's
 * `<project>:k3sVersion`, else the stack's default profile.
 */
export function resolvePackBenchmark(env: NodeJS.ProcessEnv): BenchmarkChoice {
  const fromEnv = env[BENCHMARK_ENV];
  if (fromEnv) return checked(fromEnv, BENCHMARK_ENV);
  const project = env.PULUMI_PROJECT ?? env.PULUMI_NODEJS_PROJECT;
  if (project && env.PULUMI_CONFIG) {
    let stackConfig: unknown;
    try {
      stackConfig = JSON.parse(env.PULUMI_CONFIG);
    } catch {
      stackConfig = undefined;
    }
    const value = isObject(stackConfig) ? stackConfig[`${project}:benchmark`] : undefined;
    if (typeof value === "string" && value !== "") return checked(value, `stack config ${project}:benchmark`);
    const version = isObject(stackConfig) ? stackConfig[`${project}:k3sVersion`] : undefined;
    if (typeof version === "string" && version !== "") {
      const minor = kubernetesMinor(version);
      const byVersion = minor === undefined ? undefined : benchmarkForVersion(minor);
      if (!byVersion) throw new Error(`stack config ${project}:k3sVersion: "${version}" names no k3s version a supported benchmark covers`);
      return { id: byVersion, source: `stack config ${project}:k3sVersion ${version}` };
    }
  }
  return { id: DEFAULT_BENCHMARK, source: "default" };
}

/** The benchmark a config file states under `cis-benchmark.benchmark`, if any. */
export function configuredBenchmark(config: PackConfig): string | undefined {
  const entry = config[BENCHMARK_POLICY];
  return isObject(entry) && typeof entry.benchmark === "string" ? entry.benchmark : undefined;
}

/** framework metadata of a policy for the selected benchmark. */
export function frameworkOf(bench: Benchmark, control: Control): { name: string; version: string; reference: string; specification: string } {
  return { name: "CIS Kubernetes Benchmark", version: bench.id, reference: control.id, specification: control.title };
}
