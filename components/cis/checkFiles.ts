/**
 * Reads kube-bench check files (kube-bench's `cfg/<profile>/` and Rancher security-scan's
 * `package/cfg/<profile>/`): the five target files of one profile, parsed into plain records.
 *
 * The catalog (./catalog) is this project's own encoding of those files; the unit tests compare the two
 * check by check, and the cluster-side scan ships the files themselves (as a ConfigMap) so that the
 * cluster's kube-bench runs exactly the checks the catalog was compared with. Only facts are read here;
 * nothing of the files' prose is used.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { createHash } from "node:crypto";
import { parse } from "yaml";
import { Benchmark, BenchmarkId, CHECK_FILE_NAMES, CheckFileName, CheckKind, Target } from "./types";

export const CHECK_FILE_TARGETS: readonly Target[] = ["master", "etcd", "controlplane", "node", "policies"];

export interface CheckFileItem {
  flag?: string;
  path?: string;
  env?: string;
  /** kube-bench's default is true. */
  set: boolean;
  compare?: { op: string; value: string };
}

export interface CheckFileEntry {
  id: string;
  target: Target;
  /** Group id the check sits in, e.g. "1.2". */
  group: string;
  kind: CheckKind;
  scored: boolean;
  audit: string;
  auditConfig: string;
  binOp: "and" | "or";
  items: CheckFileItem[];
}

export interface CheckFileProfile {
  /** The `version` every control file of the profile names (e.g. "k3s-cis-1.9" or "cis-1.12"). */
  versionLabel: string;
  /** Group id -> the file's group text (used only to check that groups exist). */
  groups: string[];
  checks: CheckFileEntry[];
}

function str(v: unknown): string {
  if (v === undefined || v === null) return "";
  return String(v);
}

function kindOf(type: unknown, where: string): CheckKind {
  const t = str(type).trim();
  if (t === "") return "automated";
  if (t === "skip" || t === "manual") return t;
  throw new Error(`${where}: unknown check type ${JSON.stringify(t)}`);
}

/** Parse one target file (its text); `where` names it in errors. */
export function parseCheckFile(text: string, target: Target, where: string): { versionLabel: string; groups: string[]; checks: CheckFileEntry[] } {
  const doc = parse(text) as Record<string, unknown> | null;
  if (!doc || typeof doc !== "object") throw new Error(`${where}: not a kube-bench control file`);
  if (str(doc.type) !== target) throw new Error(`${where}: type is ${JSON.stringify(doc.type)}, expected ${target}`);
  const groups = Array.isArray(doc.groups) ? (doc.groups as Array<Record<string, unknown>>) : [];
  const checks: CheckFileEntry[] = [];
  for (const g of groups) {
    const group = str(g.id);
    for (const c of Array.isArray(g.checks) ? (g.checks as Array<Record<string, unknown>>) : []) {
      const id = str(c.id);
      const tests = (c.tests ?? {}) as Record<string, unknown>;
      const rawItems = Array.isArray(tests.test_items) ? (tests.test_items as Array<Record<string, unknown>>) : [];
      const binOp = str(tests.bin_op) === "or" ? "or" : "and";
      checks.push({
        id,
        target,
        group,
        kind: kindOf(c.type, `${where} ${id}`),
        scored: c.scored === true,
        audit: str(c.audit),
        auditConfig: str(c.audit_config),
        binOp,
        items: rawItems.map((i) => {
          const cmp = i.compare as Record<string, unknown> | undefined;
          return {
            ...(i.flag !== undefined ? { flag: str(i.flag) } : {}),
            ...(i.path !== undefined ? { path: str(i.path) } : {}),
            ...(i.env !== undefined ? { env: str(i.env) } : {}),
            set: i.set === undefined ? true : i.set === true,
            ...(cmp ? { compare: { op: str(cmp.op), value: str(cmp.value) } } : {}),
          };
        }),
      });
    }
  }
  return { versionLabel: str(doc.version), groups: groups.map((g) => str(g.id)), checks };
}

/** Read the five target files of a profile folder (e.g. `<cfg>/k3s-cis-1.12`). */
export function readCheckFileProfile(dir: string): CheckFileProfile {
  const labels = new Set<string>();
  const out: CheckFileProfile = { versionLabel: "", groups: [], checks: [] };
  for (const target of CHECK_FILE_TARGETS) {
    const file = path.join(dir, `${target}.yaml`);
    const parsed = parseCheckFile(fs.readFileSync(file, "utf8"), target, file);
    labels.add(parsed.versionLabel);
    out.groups.push(...parsed.groups);
    out.checks.push(...parsed.checks);
  }
  if (labels.size !== 1) throw new Error(`${dir}: the target files name different versions: ${[...labels].join(", ")}`);
  out.versionLabel = [...labels][0];
  return out;
}

/** A profile's files as shipped to the cluster, each verified against the digest the catalog pins. */
export interface VerifiedCheckFiles {
  benchmark: BenchmarkId;
  /** The folder they were read from (`<root>/<profile>`). */
  dir: string;
  files: Record<CheckFileName, string>;
  /** sha256 over the file digests in CHECK_FILE_NAMES order: names the set (ConfigMap name, annotations). */
  digest: string;
}

/**
 * Read `<root>/<profile>/` and check every file against the catalog's pinned digests. Returns the files,
 * or the problems (each naming the file and what to do): a file that differs is not the version the
 * catalog was compared with, so the cluster's scans would run other checks than the prediction.
 */
export function loadProfileCheckFiles(root: string, bench: Benchmark): VerifiedCheckFiles | { problems: string[] } {
  const dir = path.join(root, bench.id);
  const where = `${bench.source.project}'s ${bench.id} at ${bench.source.commit.slice(0, 8)}`;
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    return { problems: [`${dir} is not a folder; the folder must hold ${bench.id}/ as in ${where}`] };
  }
  const problems: string[] = [];
  const files = {} as Record<CheckFileName, string>;
  for (const name of CHECK_FILE_NAMES) {
    const file = path.join(dir, name);
    if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
      problems.push(`${file} is missing (${where} has it)`);
      continue;
    }
    const bytes = fs.readFileSync(file);
    const sum = createHash("sha256").update(bytes).digest("hex");
    if (sum !== bench.source.files[name]) {
      problems.push(`${file} is not ${where}'s file (sha256 ${sum.slice(0, 12)}…, expected ${bench.source.files[name].slice(0, 12)}…)`);
      continue;
    }
    files[name] = bytes.toString("utf8");
  }
  if (problems.length > 0) return { problems };
  const digest = createHash("sha256")
    .update(CHECK_FILE_NAMES.map((n) => bench.source.files[n]).join("\n"))
    .digest("hex");
  return { benchmark: bench.id, dir, files, digest };
}
