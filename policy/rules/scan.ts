/**
 * The pack's resource policies over plain Kubernetes objects, outside the engine: what `npm run scan`
 * and the policy benchmark run. Same rules, same exemptions, same enforcement levels as the pack.
 */
import { Benchmark, Control, controlByTopic } from "../../components/cis";
import { isObject } from "./access";
import { configSchemaFor, defaultLevelFor, effectiveLevel, EnforcementLevel, PackConfig, policyProperties } from "./config";
import { appliesTo, evaluateResource } from "./evaluate";
import { resolveNamespace } from "./exemptions";
import { RESOURCE_RULES } from "./index";
import { kindOfManifest } from "./kinds";
import { KubeObject, ResourceRule } from "./types";

/** A Kubernetes object and where it came from. */
export interface SourcedObject {
  obj: KubeObject;
  file: string;
  line: number;
}

export interface ScanViolation {
  policy: string;
  control: string;
  benchmark: string;
  kind: string;
  namespace: string | null;
  name: string;
  file: string;
  message: string;
  enforcement: "advisory" | "mandatory";
  /** 1-based line of the object's document (text output only; not part of the JSON contract). */
  line: number;
}

export interface ScanResult {
  resources: number;
  violations: ScanViolation[];
  /** Exempt (policy, resource) pairs with their reasons, for the text report. */
  exempted: { policy: string; kind: string; name: string; file: string; reasons: string[] }[];
  /** (policy, resource) evaluations performed. */
  evaluations: number;
}

interface PreparedPolicy {
  rule: ResourceRule;
  control: Control;
  level: "advisory" | "mandatory";
  options: { [key: string]: unknown };
}

/** The enabled resource policies for `config`, with their options and levels resolved once. */
export function preparePolicies(bench: Benchmark, config: PackConfig): PreparedPolicy[] {
  const out: PreparedPolicy[] = [];
  for (const rule of RESOURCE_RULES) {
    const control = controlByTopic(bench, rule.topic);
    if (!control) continue;
    const level: EnforcementLevel = effectiveLevel(config, rule.name, defaultLevelFor(control.severity));
    if (level === "disabled") continue;
    // The scanner cannot rewrite a file: a remediate policy counts as mandatory, as the engine counts a
    // violation that is still there after remediation.
    out.push({ rule, control, level: level === "advisory" ? "advisory" : "mandatory", options: policyProperties(config, rule.name, configSchemaFor(rule.options)) });
  }
  return out;
}

function nameOf(obj: KubeObject): string {
  const meta = obj.metadata;
  if (isObject(meta)) {
    if (typeof meta.name === "string") return meta.name;
    if (typeof meta.generateName === "string") return `${meta.generateName}*`;
  }
  return "(unnamed)";
}

/**
 * Runs every enabled resource policy over `objects`, one at a time: a generator keeps memory flat
 * however large the input (only the findings are kept).
 */
export function scanObjects(objects: Iterable<SourcedObject>, bench: Benchmark, config: PackConfig): ScanResult {
  const policies = preparePolicies(bench, config);
  const result: ScanResult = { resources: 0, violations: [], exempted: [], evaluations: 0 };
  for (const { obj, file, line } of objects) {
    result.resources++;
    const kind = kindOfManifest(obj.apiVersion, obj.kind);
    if (!kind) continue;
    const target = { kind: kind.kind, namespaced: kind.namespaced, partial: false, obj };
    const name = nameOf(obj);
    const namespace = kind.namespaced ? resolveNamespace(target) : null;
    for (const p of policies) {
      if (!appliesTo(p.rule, kind.kind, false)) continue;
      result.evaluations++;
      const outcome = evaluateResource(p.rule, p.control, target, p.options);
      if (outcome.error !== undefined) throw outcome.error;
      if (outcome.exemptedBy) result.exempted.push({ policy: p.rule.name, kind: kind.kind, name, file, reasons: outcome.exemptedBy });
      for (const f of outcome.findings) {
        result.violations.push({
          policy: p.rule.name,
          control: p.control.id,
          benchmark: bench.id,
          kind: kind.kind,
          namespace,
          name,
          file,
          message: f.message,
          enforcement: p.level,
          line,
        });
      }
    }
  }
  return result;
}
