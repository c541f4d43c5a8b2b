/**
 * Parser for kube-bench's `--json` output (kube-bench v0.15, check/controls.go and check/check.go).
 *
 * Two shapes exist: the default object `{"Controls": [...], "Totals": {...}}` and the bare array of
 * controls written with `--nototals`. Each control carries the benchmark name in `version`
 * (e.g. "k3s-cis-1.7"), its groups in `tests`, and each group its checks in `results`.
 * Pure: text in, typed value out; problems are thrown as ReportInputError naming the file.
 */
import { ReportInputError } from "./errors";

export const STATUSES = ["PASS", "FAIL", "WARN", "INFO"] as const;
export type Status = (typeof STATUSES)[number];

/** One kube-bench check result, with the fields the report uses. */
export interface CheckResult {
  /** CIS id (`test_number`), e.g. "1.2.1". */
  id: string;
  /** kube-bench's check text (`test_desc`), including its "(Automated)"/"(Manual)" suffix. */
  description: string;
  /** Group id (`section`), e.g. "1.2". */
  section: string;
  /** Group title (`desc`), e.g. "API Server". */
  sectionTitle: string;
  /** The control's `node_type`: master, etcd, controlplane, node or policies. */
  target: string;
  /** kube-bench's `type`: "" for an evaluated check, "manual" (always WARN) or "skip" (always INFO). */
  type: string;
  status: Status;
  scored: boolean;
  remediation: string;
  actualValue: string;
  expectedResult: string;
  /** kube-bench's `reason` (why a check was skipped, manual, or why its audit failed); "" when absent. */
  reason: string;
}

export interface StatusCounts {
  pass: number;
  fail: number;
  warn: number;
  info: number;
}

export interface ParsedReport {
  /** The benchmark every control of the report names in `version`, e.g. "k3s-cis-1.7". */
  benchmark: string;
  /** "totals" for `{Controls, Totals}`, "nototals" for the bare array written with `--nototals`. */
  shape: "totals" | "nototals";
  /** The targets (`node_type`) the run covered, in report order. */
  targets: string[];
  results: CheckResult[];
  /** kube-bench's own `Totals`, when the report has them (checked against the results). */
  totals: StatusCounts | undefined;
}

type JsonObject = { [key: string]: unknown };

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isStatus(value: unknown): value is Status {
  return typeof value === "string" && (STATUSES as readonly string[]).includes(value);
}

/** Optional string field: absent or null reads as "", any other non-string is an error. */
function optionalString(obj: JsonObject, key: string, where: string, file: string): string {
  const value = obj[key];
  if (value === undefined || value === null) return "";
  if (typeof value !== "string") {
    throw new ReportInputError(file, `${where}.${key} must be a string, got ${describeJson(value)}`);
  }
  return value;
}

/** Optional array field: kube-bench marshals an empty Go slice as null. */
function optionalArray(obj: JsonObject, key: string, where: string, file: string): unknown[] {
  const value = obj[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    throw new ReportInputError(file, `${where}.${key} must be an array, got ${describeJson(value)}`);
  }
  return value;
}

function describeJson(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (typeof value === "object") return "an object";
  return String(value);
}

export function countStatuses(results: readonly { status: Status }[]): StatusCounts {
  const counts: StatusCounts = { pass: 0, fail: 0, warn: 0, info: 0 };
  for (const r of results) {
    if (r.status === "PASS") counts.pass++;
    else if (r.status === "FAIL") counts.fail++;
    else if (r.status === "WARN") counts.warn++;
    else counts.info++;
  }
  return counts;
}

function parseTotals(value: unknown, file: string): StatusCounts {
  if (!isObject(value)) {
    throw new ReportInputError(file, `Totals must be an object, got ${describeJson(value)}`);
  }
  const read = (key: string): number => {
    const n = value[key];
    if (typeof n !== "number" || !Number.isInteger(n) || n < 0) {
      throw new ReportInputError(file, `Totals.${key} must be a non-negative integer, got ${describeJson(n)}`);
    }
    return n;
  };
  return { pass: read("total_pass"), fail: read("total_fail"), warn: read("total_warn"), info: read("total_info") };
}

const NOT_KUBE_BENCH =
  'not kube-bench JSON output: expected an object with a "Controls" array, or the bare array of controls that --nototals writes';

/**
 * Parses one kube-bench JSON document. `file` names the input in error messages.
 * Throws ReportInputError for malformed JSON, JSON that is not kube-bench output, a report whose
 * controls name different benchmarks, or `Totals` that disagree with the results.
 */
export function parseKubeBenchJson(text: string, file: string): ParsedReport {
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new ReportInputError(file, `malformed JSON: ${detail}`);
  }

  let controls: unknown[];
  let shape: ParsedReport["shape"];
  let totals: StatusCounts | undefined;
  let controlsPath: string;
  if (Array.isArray(doc)) {
    controls = doc;
    shape = "nototals";
    controlsPath = "";
  } else if (isObject(doc) && Array.isArray(doc.Controls)) {
    controls = doc.Controls;
    shape = "totals";
    controlsPath = "Controls";
    totals = doc.Totals === undefined ? undefined : parseTotals(doc.Totals, file);
  } else {
    throw new ReportInputError(file, NOT_KUBE_BENCH);
  }
  if (controls.length === 0) {
    throw new ReportInputError(file, "kube-bench report has no controls (no check was run)");
  }

  const results: CheckResult[] = [];
  const targets: string[] = [];
  let benchmark: string | undefined;
  let benchmarkWhere = "";
  controls.forEach((control, ci) => {
    const where = `${controlsPath}[${ci}]`;
    // An array element that lacks the control fields means this is some other JSON array.
    if (!isObject(control) || !("tests" in control) || !("version" in control)) {
      throw new ReportInputError(file, `${NOT_KUBE_BENCH} (${where} has no "version" and "tests")`);
    }
    const version = control.version;
    if (typeof version !== "string" || version.trim() === "") {
      throw new ReportInputError(file, `${where}.version must name the benchmark, got ${describeJson(version)}`);
    }
    if (benchmark === undefined) {
      benchmark = version;
      benchmarkWhere = where;
    } else if (version !== benchmark) {
      throw new ReportInputError(
        file,
        `${where}.version "${version}" differs from ${benchmarkWhere}.version "${benchmark}": one report must come from one benchmark`,
      );
    }
    const target = optionalString(control, "node_type", where, file);
    if (!targets.includes(target)) targets.push(target);

    optionalArray(control, "tests", where, file).forEach((group, gi) => {
      const gWhere = `${where}.tests[${gi}]`;
      if (!isObject(group)) {
        throw new ReportInputError(file, `${gWhere} must be an object, got ${describeJson(group)}`);
      }
      const section = optionalString(group, "section", gWhere, file);
      const sectionTitle = optionalString(group, "desc", gWhere, file);
      optionalArray(group, "results", gWhere, file).forEach((check, ri) => {
        const rWhere = `${gWhere}.results[${ri}]`;
        if (!isObject(check)) {
          throw new ReportInputError(file, `${rWhere} must be an object, got ${describeJson(check)}`);
        }
        const id = check.test_number;
        if (typeof id !== "string" || id.trim() === "") {
          throw new ReportInputError(file, `${rWhere}.test_number must be a CIS id string, got ${describeJson(id)}`);
        }
        const status = check.status;
        if (!isStatus(status)) {
          throw new ReportInputError(
            file,
            `${rWhere}.status must be one of ${STATUSES.join(", ")}, got ${describeJson(status)} (check ${id})`,
          );
        }
        const scored = check.scored;
        if (scored !== undefined && typeof scored !== "boolean") {
          throw new ReportInputError(file, `${rWhere}.scored must be true or false, got ${describeJson(scored)}`);
        }
        results.push({
          id,
          description: optionalString(check, "test_desc", rWhere, file),
          section,
          sectionTitle,
          target,
          type: optionalString(check, "type", rWhere, file).trim(),
          status,
          scored: scored === true,
          remediation: optionalString(check, "remediation", rWhere, file),
          actualValue: optionalString(check, "actual_value", rWhere, file),
          expectedResult: optionalString(check, "expected_result", rWhere, file),
          reason: optionalString(check, "reason", rWhere, file),
        });
      });
    });
  });

  if (results.length === 0) {
    throw new ReportInputError(file, "kube-bench report has no check results");
  }
  if (totals !== undefined) {
    const counted = countStatuses(results);
    const keys = ["pass", "fail", "warn", "info"] as const;
    const off = keys.filter((k) => counted[k] !== (totals as StatusCounts)[k]);
    if (off.length > 0) {
      const detail = off.map((k) => `total_${k} ${(totals as StatusCounts)[k]} but ${counted[k]} results`).join(", ");
      throw new ReportInputError(file, `Totals disagree with the results (${detail}): the report was altered or truncated`);
    }
  }
  return { benchmark: benchmark as string, shape, targets, results, totals };
}
