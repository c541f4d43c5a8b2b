// The catalog against the check files it encodes: every check of every supported profile, read from the
// vendored kube-bench `cfg/` (k3s-cis-1.7 … 1.9) and Rancher security-scan files (k3s-cis-1.10 … 1.12).
// Any difference in id, group, target, type, scored flag, component, file path or test item (flag, set,
// operator, value, bin_op) fails here, naming the check.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { Benchmark, CHECK_FILE_NAMES, Control, SUPPORTED_BENCHMARKS, getBenchmark } from "../../../components/cis";
import { CheckFileEntry, CheckFileItem, loadProfileCheckFiles, readCheckFileProfile } from "../../../components/cis/checkFiles";
import { checkFileRoot } from "../../vendor";

interface NormalItem {
  flag: string;
  set: boolean;
  op?: string;
  value?: string;
}

/** kube-bench path-only items (etcd's config file) name the etcd flag of the last path segment. */
function itemFlag(i: CheckFileItem): string {
  if (i.flag !== undefined) return i.flag;
  const p = (i.path ?? "").replace(/^\{\./, "").replace(/\}$/, "");
  if (p.startsWith("client-transport-security.")) return `--${p.slice("client-transport-security.".length)}`;
  if (p.startsWith("peer-transport-security.")) return `--peer-${p.slice("peer-transport-security.".length)}`;
  return `--${p}`;
}

function normalFromFile(f: CheckFileEntry): { binOp: string; items: NormalItem[] } {
  const items = f.items.map((i) => {
    // An owner test written as `flag: root:root` with `compare: eq root:root` means the same as the bare flag.
    const same = i.compare?.op === "eq" && i.compare.value === i.flag;
    return { flag: itemFlag(i), set: i.set, ...(i.compare && !same ? { op: i.compare.op, value: i.compare.value } : {}) };
  });
  return { binOp: items.length <= 1 ? "and" : f.binOp, items };
}

function normalFromCatalog(c: Control): { binOp: string; items: NormalItem[] } {
  const chk = c.check;
  let binOp = "and";
  let items: NormalItem[];
  if (chk.kind === "file") {
    items = chk.property === "permissions" ? [{ flag: "permissions", set: true, op: "bitmask", value: chk.expected }] : [{ flag: chk.expected, set: true }];
  } else {
    binOp = chk.binOp;
    items = chk.items.map((i) => ({ flag: i.flag, set: i.set !== false, ...(i.compare ? { op: i.compare.op, value: i.compare.value } : {}) }));
  }
  return { binOp: items.length <= 1 ? "and" : binOp, items };
}

const JOURNAL_COMPONENT: Array<[RegExp, string]> = [
  [/Running kube-apiserver/, "apiserver"],
  [/Running kube-controller-manager/, "controllermanager"],
  [/Running kube-scheduler/, "scheduler"],
  [/Running kubelet/, "kubelet"],
  [/\$etcdconf/, "etcd"],
];

function componentOfAudit(f: CheckFileEntry): string | undefined {
  const text = `${f.audit}\n${f.auditConfig}`;
  return JOURNAL_COMPONENT.find(([re]) => re.test(text))?.[1];
}

/** kube-bench's config.yaml merged with the profile's own (the profile's values replace). */
function mergedConfig(root: string, profile: string): Record<string, unknown> {
  const merge = (a: unknown, b: unknown): unknown => {
    if (a && b && typeof a === "object" && typeof b === "object" && !Array.isArray(a) && !Array.isArray(b)) {
      const out: Record<string, unknown> = { ...(a as Record<string, unknown>) };
      for (const [k, v] of Object.entries(b as Record<string, unknown>)) out[k] = merge(out[k], v);
      return out;
    }
    return b === undefined ? a : b;
  };
  const base = parse(fs.readFileSync(path.join(root, "config.yaml"), "utf8"));
  const own = parse(fs.readFileSync(path.join(root, profile, "config.yaml"), "utf8"));
  return merge(base, own) as Record<string, unknown>;
}

/** Every value `$<component><suffix>` may take on a node: the listed candidates and the default. */
function variableCandidates(cfg: Record<string, unknown>, variable: string): string[] {
  const suffixes = ["kubeconfig", "conf", "svc", "cafile", "datadir"];
  const suffix = suffixes.find((s) => variable.endsWith(s));
  if (!suffix) return [];
  const component = variable.slice(0, -suffix.length);
  const out: string[] = [];
  for (const section of Object.values(cfg)) {
    if (!section || typeof section !== "object") continue;
    const sec = section as Record<string, unknown>;
    const comp = (sec[component] ?? {}) as Record<string, unknown>;
    for (const key of [`${suffix}s`, suffix, `default${suffix}`]) {
      const v = comp[key];
      if (Array.isArray(v)) out.push(...v.map(String));
      else if (typeof v === "string") out.push(v);
    }
  }
  // `etcd: confs:` sits at the top of k3s's override, under the etcd target.
  const etcd = cfg.etcd as Record<string, unknown> | undefined;
  if (component === "etcd" && suffix === "conf" && typeof etcd?.confs === "string") out.push(etcd.confs);
  return out;
}

function checkPath(c: Control, f: CheckFileEntry, cfg: Record<string, unknown>): string | undefined {
  if (c.check.kind !== "file") return undefined;
  const want = c.check.path;
  if (f.audit.includes(want)) return undefined;
  // `<dir>/*` stands for the files a `find <dir> -type f` audit lists.
  if (want.endsWith("/*") && f.audit.includes(`find ${want.slice(0, -2)} `)) return undefined;
  const vars = [...f.audit.matchAll(/\$([a-z]+)/g)].map((m) => m[1]);
  for (const v of vars) if (variableCandidates(cfg, v).includes(want)) return undefined;
  return `path ${want} is neither in the audit nor a value of ${vars.map((v) => `$${v}`).join(", ") || "its variables"}`;
}

/** Differences between one catalog control and its check, as readable lines. */
function differences(c: Control, f: CheckFileEntry, cfg: Record<string, unknown>): string[] {
  const out: string[] = [];
  if (c.section !== f.group) out.push(`group ${c.section} vs ${f.group}`);
  if (c.target !== f.target) out.push(`target ${c.target} vs ${f.target}`);
  if (c.kind !== f.kind) out.push(`type ${c.kind} vs ${f.kind}`);
  if (c.scored !== f.scored) out.push(`scored ${c.scored} vs ${f.scored}`);
  const a = normalFromCatalog(c);
  const b = normalFromFile(f);
  if (JSON.stringify(a) !== JSON.stringify(b)) out.push(`tests ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
  if (c.check.kind === "flag") {
    const comp = componentOfAudit(f);
    if (comp !== c.check.component) out.push(`component ${c.check.component} vs ${comp ?? "none"} (audit: ${f.audit.trim()})`);
  }
  if (c.check.kind === "other" && c.check.decidedBy === "nothing" && f.items.length > 0) out.push("decidedBy nothing, but the file has tests");
  const p = checkPath(c, f, cfg);
  if (p) out.push(p);
  return out;
}

function compareProfile(bench: Benchmark, dir: string, cfg: Record<string, unknown>): string[] {
  const prof = readCheckFileProfile(dir);
  const problems: string[] = [];
  if (prof.versionLabel !== bench.source.versionLabel) problems.push(`version label ${bench.source.versionLabel} vs ${prof.versionLabel}`);
  const files = new Map(prof.checks.map((f) => [f.id, f]));
  if (files.size !== prof.checks.length) problems.push("duplicate ids in the files");
  for (const c of bench.controls) {
    const f = files.get(c.id);
    if (!f) {
      problems.push(`${c.id}: in the catalog, not in the files`);
      continue;
    }
    for (const d of differences(c, f, cfg)) problems.push(`${c.id}: ${d}`);
  }
  for (const f of prof.checks) if (!bench.controls.some((c) => c.id === f.id)) problems.push(`${f.id}: in the files, not in the catalog`);
  for (const g of new Set(prof.checks.map((f) => f.group))) if (!(g in bench.sections)) problems.push(`group ${g} has no section title`);
  for (const s of Object.keys(bench.sections)) if (!prof.groups.includes(s)) problems.push(`section ${s} is not a group of the files`);
  return problems;
}

/**
 * kube-bench v0.15.6's k3s-cis-1.9 is a modified copy of security-scan's. The catalog follows kube-bench's
 * (it is what `kube-bench --benchmark k3s-cis-1.9` runs, and what kube-bench picks for any k3s from 1.27 on);
 * these are all the checks where security-scan's copy differs, and how.
 */
const SECURITY_SCAN_1_9_DIFFERENCES: Record<string, RegExp> = {
  // security-scan marks the not-applicable skip checks scored (they still report INFO).
  "1.1.1": /^scored false vs true$/,
  "1.1.2": /^scored false vs true$/,
  "1.1.3": /^scored false vs true$/,
  "1.1.4": /^scored false vs true$/,
  "1.1.5": /^scored false vs true$/,
  "1.1.6": /^scored false vs true$/,
  "1.1.7": /^scored false vs true$/,
  "1.1.8": /^scored false vs true$/,
  "1.1.12": /^scored false vs true$/,
  // Certificate file modes: scored in kube-bench, unscored in security-scan.
  "1.1.20": /^scored true vs false$/,
  // kube-bench's `noteqx` typo (never passes when the flag is set) is `noteq` in security-scan.
  "4.2.5": /"op":"noteqx".*vs.*"op":"noteq"/,
  // The kubelet config file: the kubelet's kubeconfig in kube-bench, k3s's kubelet drop-in in security-scan.
  "4.1.9": /^path \/var\/lib\/rancher\/k3s\/agent\/kubelet\.kubeconfig is neither/,
  "4.1.10": /^path \/var\/lib\/rancher\/k3s\/agent\/kubelet\.kubeconfig is neither/,
  // Secrets access and pod creation: manual without a test in kube-bench; audited (still manual) and
  // scored in security-scan.
  "5.1.2": /^scored false vs true; tests .*canGetListWatchSecretsAsSystemAuthenticated.*; decidedBy nothing/,
  "5.1.4": /^scored false vs true; tests .*canCreatePodsAsSystemAuthenticated.*; decidedBy nothing/,
};

describe("CIS catalog against the vendored check files", () => {
  for (const id of SUPPORTED_BENCHMARKS) {
    const bench = getBenchmark(id);
    it(`${id} matches ${bench.source.project}'s ${id}/ check for check`, () => {
      const root = checkFileRoot(bench.source.project);
      const problems = compareProfile(bench, path.join(root, id), mergedConfig(root, id));
      assert.deepEqual(problems, [], `${id} differs from ${root}/${id}:\n${problems.join("\n")}`);
    });
  }

  it("k3s-cis-1.9 differs from security-scan's copy only where known", () => {
    const root = checkFileRoot("security-scan");
    const bench = { ...getBenchmark("k3s-cis-1.9"), source: { ...getBenchmark("k3s-cis-1.9").source, versionLabel: "cis-1.9" } };
    const problems = compareProfile(bench, path.join(root, "k3s-cis-1.9"), mergedConfig(root, "k3s-cis-1.9"));
    const byId = new Map<string, string[]>();
    for (const p of problems) {
      const [cid, ...rest] = p.split(": ");
      byId.set(cid, [...(byId.get(cid) ?? []), rest.join(": ")]);
    }
    assert.deepEqual([...byId.keys()].sort(), Object.keys(SECURITY_SCAN_1_9_DIFFERENCES).sort(), problems.join("\n"));
    for (const [cid, re] of Object.entries(SECURITY_SCAN_1_9_DIFFERENCES)) {
      assert.match((byId.get(cid) ?? []).join("; "), re, cid);
    }
  });

  it("finds a changed value, a changed flag and a missing check (the comparison can fail)", () => {
    const base = getBenchmark("k3s-cis-1.12");
    const root = checkFileRoot(base.source.project);
    const cfg = mergedConfig(root, base.id);
    const dir = path.join(root, base.id);
    const edit = (id: string, f: (c: Control) => Control): Benchmark => ({ ...base, controls: base.controls.map((c) => (c.id === id ? f(c) : c)) });
    const withItems = (c: Control, map: (i: NonNullable<Extract<Control["check"], { kind: "flag" }>["items"][number]>) => typeof i): Control =>
      c.check.kind === "flag" ? { ...c, check: { ...c.check, items: c.check.items.map(map) } } : c;
    const valueEdit = edit("1.2.1", (c) => withItems(c, (i) => ({ ...i, compare: { op: "eq", value: "true" } })));
    assert.match(compareProfile(valueEdit, dir, cfg).join("\n"), /^1\.2\.1: tests /m);
    const flagEdit = edit("4.2.4", (c) => withItems(c, (i) => ({ ...i, flag: "--read-only" })));
    assert.match(compareProfile(flagEdit, dir, cfg).join("\n"), /^4\.2\.4: tests /m);
    const scored = edit("1.2.30", (c) => ({ ...c, scored: false }));
    assert.match(compareProfile(scored, dir, cfg).join("\n"), /^1\.2\.30: scored false vs true$/m);
    const modes = edit("1.1.20", (c) => (c.check.kind === "file" ? { ...c, check: { ...c.check, expected: "600" } } : c));
    assert.match(compareProfile(modes, dir, cfg).join("\n"), /^1\.1\.20: tests /m);
    const missing = { ...base, controls: base.controls.filter((c) => c.id !== "5.6.4") };
    assert.match(compareProfile(missing, dir, cfg).join("\n"), /^5\.6\.4: in the files, not in the catalog$/m);
  });
});

describe("pinned check files (what the cluster's scans ship)", () => {
  for (const id of SUPPORTED_BENCHMARKS) {
    it(`${id}: the vendored files have the digests the catalog pins`, () => {
      const bench = getBenchmark(id);
      const loaded = loadProfileCheckFiles(checkFileRoot(bench.source.project), bench);
      assert.ok(!("problems" in loaded), "problems" in loaded ? loaded.problems.join("\n") : "");
      assert.deepEqual(Object.keys(loaded.files).sort(), [...CHECK_FILE_NAMES].sort());
      assert.match(loaded.digest, /^[0-9a-f]{64}$/);
    });
  }

  it("refuses a changed file, a missing file and the other project's copy, naming each", () => {
    const bench = getBenchmark("k3s-cis-1.12");
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "check-files-"));
    try {
      fs.cpSync(path.join(checkFileRoot("security-scan"), bench.id), path.join(root, bench.id), { recursive: true });
      fs.appendFileSync(path.join(root, bench.id, "node.yaml"), "# local edit\n");
      fs.rmSync(path.join(root, bench.id, "etcd.yaml"));
      const r = loadProfileCheckFiles(root, bench);
      assert.ok("problems" in r);
      assert.deepEqual(
        r.problems.map((p) => p.replace(root, "<root>")),
        [
          "<root>/k3s-cis-1.12/etcd.yaml is missing (security-scan's k3s-cis-1.12 at 38bebe71 has it)",
          `<root>/k3s-cis-1.12/node.yaml is not security-scan's k3s-cis-1.12 at 38bebe71's file (sha256 ${r.problems[1].match(/sha256 ([0-9a-f]{12})/)![1]}…, expected ${bench.source.files["node.yaml"].slice(0, 12)}…)`,
        ],
      );
      // Rancher's own k3s-cis-1.9 is not kube-bench's, which the 1.9 catalog follows.
      const other = loadProfileCheckFiles(checkFileRoot("security-scan"), getBenchmark("k3s-cis-1.9"));
      assert.ok("problems" in other && other.problems.some((p) => /master\.yaml is not kube-bench's k3s-cis-1\.9/.test(p)));
      assert.ok("problems" in loadProfileCheckFiles(checkFileRoot("kube-bench"), bench), "kube-bench has no k3s-cis-1.12");
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
