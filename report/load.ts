/**
 * Input loading: kube-bench JSON files, directories of them, or the evidence bucket.
 *
 * Naming rule (the bucket layout written by the project's CronJob is
 * `<prefix><cluster>/<node>/<UTC timestamp>.json`):
 * - a file whose name (without `.json`) is a timestamp takes its node from the folder it is in and its
 *   time from the name;
 * - any other file is a node named after the file (without `.json`), and its time is the file's
 *   modification time (the object's LastModified in the bucket).
 */
import { promises as fs } from "fs";
import * as path from "path";
import { Benchmark, BenchmarkId, SUPPORTED_BENCHMARKS, benchmarkOfReportLabel, getBenchmark, isBenchmarkId } from "../components/cis";
import { ReportInputError } from "./errors";
import { ParsedReport, parseKubeBenchJson } from "./parse";

/** A kube-bench report with where it came from. */
export interface LoadedReport extends ParsedReport {
  node: string;
  /** When the scan ran: from the file name, else the file's modification time. */
  time: Date;
  /** true when `time` came from the file name (`<node>/<timestamp>.json`). */
  timeFromName: boolean;
  /** The file path as given (joined under a directory input) or `s3://bucket/key`. */
  location: string;
  /**
   * Signs that the evidence was tampered with, seen while loading (an overwritten key, a name dated after
   * the object was written); each fails the gate.
   */
  integrity?: string[];
}

/** Clock difference tolerated between the scanning node, the store and the reader. */
export const CLOCK_SKEW_MS = 10 * 60 * 1000;

/** The scan Jobs name reports `<timestamp>-<pod name>` so that no key is ever reused; the suffix is optional. */
const COMPACT_TIME = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z(?:-[a-z0-9][a-z0-9.-]*)?$/;
const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2})[:-](\d{2})[:-](\d{2})(?:\.\d{1,3})?Z$/;
const DATE_ONLY = /^(\d{4})(\d{2})(\d{2})$/;
/** The guide's CronJob names its files `kube-bench-<date>.json`; that prefix is allowed before a timestamp. */
const GUIDE_PREFIX = "kube-bench-";

/**
 * Reads a UTC timestamp from a file name without `.json`: `20261122T020000Z` (the CronJob's, followed by
 * `-<pod name>` in current uploads),
 * `2026-11-22T02:00:00Z` (also with `-` between the time fields), or a date `20261122` (midnight UTC),
 * each optionally after `kube-bench-` (the guide's file names).
 * Returns undefined for anything else, including impossible dates.
 */
export function parseReportTime(fileName: string): Date | undefined {
  const name = fileName.startsWith(GUIDE_PREFIX) ? fileName.slice(GUIDE_PREFIX.length) : fileName;
  const m = COMPACT_TIME.exec(name) ?? ISO_TIME.exec(name) ?? DATE_ONLY.exec(name);
  if (m === null) return undefined;
  const parts = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? "0"));
  const date = new Date(Date.UTC(parts[0], parts[1] - 1, parts[2], parts[3], parts[4], parts[5]));
  // Date.UTC rolls 2026-02-31 over to March; such names are not timestamps.
  if (
    date.getUTCFullYear() !== parts[0] ||
    date.getUTCMonth() !== parts[1] - 1 ||
    date.getUTCDate() !== parts[2] ||
    date.getUTCHours() !== parts[3] ||
    date.getUTCMinutes() !== parts[4] ||
    date.getUTCSeconds() !== parts[5]
  ) {
    return undefined;
  }
  return date;
}

function stripJson(name: string): string {
  return name.toLowerCase().endsWith(".json") ? name.slice(0, -".json".length) : name;
}

/**
 * Node name and time for a report at `segments` (its path split on `/`, the file name last).
 * `<node>/<timestamp>.json` gives the node from the folder; anything else is named after the file.
 */
export function nameReport(segments: readonly string[]): { node: string; time: Date | undefined } {
  const base = stripJson(segments[segments.length - 1] ?? "");
  const time = parseReportTime(base);
  const folder = segments.length >= 2 ? segments[segments.length - 2] : "";
  if (time !== undefined && folder !== "" && folder !== "." && folder !== "..") {
    return { node: folder, time };
  }
  return { node: base, time: undefined };
}

/** Parses report text and attaches its node, time and location. */
export function loadReportText(
  text: string,
  location: string,
  segments: readonly string[],
  fallbackTime: Date,
): LoadedReport {
  const parsed = parseKubeBenchJson(text, location);
  const { node, time } = nameReport(segments);
  if (node === "") throw new ReportInputError(location, "cannot name the node from this file name");
  return { ...parsed, node, time: time ?? fallbackTime, timeFromName: time !== undefined, location };
}

/** Runs `fn` over `items` with at most `limit` at a time, keeping the order of results. */
async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

function errorCode(err: unknown): string | undefined {
  return typeof err === "object" && err !== null && "code" in err ? String((err as { code: unknown }).code) : undefined;
}

function fsProblem(err: unknown): string {
  switch (errorCode(err)) {
    case "ENOENT":
      return "no such file or directory";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EISDIR":
      return "is a directory";
    default:
      return err instanceof Error ? err.message : String(err);
  }
}

/** A kube-bench JSON report of one node is well under a megabyte; anything this large is not one. */
export const MAX_REPORT_BYTES = 32 * 1024 * 1024;

/** All `*.json` files under `dir`, sorted, skipping hidden files and folders. */
async function listJsonFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (current: string): Promise<void> => {
    const entries = await fs.readdir(current, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith(".")) continue;
      const full = path.join(current, entry.name);
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        const st = await fs.stat(full).catch(() => undefined);
        isDir = st?.isDirectory() ?? false;
        isFile = st?.isFile() ?? false;
      }
      if (isDir) await walk(full);
      else if (isFile && entry.name.toLowerCase().endsWith(".json")) found.push(full);
    }
  };
  await walk(dir);
  return found;
}

/**
 * Loads reports from files and directories (searched recursively for `*.json`).
 * A file named on the command line is read whatever its extension.
 */
export async function loadLocalReports(inputs: readonly string[]): Promise<LoadedReport[]> {
  const files: string[] = [];
  for (const input of inputs) {
    let st;
    try {
      st = await fs.stat(input);
    } catch (err) {
      throw new ReportInputError(input, fsProblem(err));
    }
    if (st.isDirectory()) {
      let inDir: string[];
      try {
        inDir = await listJsonFiles(input);
      } catch (err) {
        throw new ReportInputError(input, fsProblem(err));
      }
      if (inDir.length === 0) throw new ReportInputError(input, "no kube-bench JSON files (*.json) in this directory");
      files.push(...inDir);
    } else if (!st.isFile()) {
      // A FIFO, device or socket: reading it could wait forever or never end.
      throw new ReportInputError(input, "not a regular file or directory (a FIFO, device or socket is never read)");
    } else if (st.size > MAX_REPORT_BYTES) {
      throw new ReportInputError(input, `${st.size} bytes is more than a kube-bench report (limit ${MAX_REPORT_BYTES})`);
    } else {
      files.push(input);
    }
  }
  const unique = [...new Set(files)];
  return mapLimited(unique, 16, async (file) => {
    let text: string;
    let mtime: Date;
    try {
      [text, mtime] = await Promise.all([fs.readFile(file, "utf8"), fs.stat(file).then((s) => s.mtime)]);
    } catch (err) {
      throw new ReportInputError(file, fsProblem(err));
    }
    // The folder of a relative path like `server-1/20261122T020000Z.json` is what names the node.
    const segments = path.resolve(file).split(path.sep).filter((s) => s !== "");
    return loadReportText(text, file, segments, mtime);
  });
}

/** One object in a listing. */
export interface StoredObject {
  key: string;
  /** The store's own time of the (latest) write: what a forged name cannot change. */
  lastModified: Date;
}

/** The S3 operations the loader needs; see s3.ts for the MinIO client behind it. */
export interface ObjectStore {
  /** Every object whose key starts with `prefix` (recursively). */
  list(bucket: string, prefix: string): Promise<StoredObject[]>;
  /** The object's body as UTF-8 text. */
  read(bucket: string, key: string): Promise<string>;
  /** How many versions each key under `prefix` has (a versioned bucket keeps every overwrite). */
  versions?(bucket: string, prefix: string): Promise<Map<string, number>>;
}

export interface BucketInput {
  bucket: string;
  /** Key prefix of the scan reports; default `kube-bench/`. */
  prefix: string;
  /** Cluster folder under the prefix; when absent the bucket must hold reports of one cluster only. */
  cluster?: string;
  /** Told what the loader could not check (e.g. a store that cannot list versions). */
  onNote?: (note: string) => void;
}

function normalizePrefix(prefix: string): string {
  const trimmed = prefix.replace(/^\/+/, "");
  return trimmed === "" || trimmed.endsWith("/") ? trimmed : `${trimmed}/`;
}

function problemOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Loads every `*.json` report under `<prefix>[<cluster>/]` in the bucket.
 * Without `cluster`, keys `<prefix><cluster>/<node>/<timestamp>.json` of more than one cluster are an error.
 */
export async function loadBucketReports(store: ObjectStore, input: BucketInput): Promise<LoadedReport[]> {
  const base = normalizePrefix(input.prefix);
  const cluster = input.cluster?.replace(/^\/+|\/+$/g, "");
  const listPrefix = cluster ? `${base}${cluster}/` : base;
  const where = `s3://${input.bucket}/${listPrefix}`;
  let objects: StoredObject[];
  try {
    objects = await store.list(input.bucket, listPrefix);
  } catch (err) {
    throw new ReportInputError(where, `cannot list the bucket: ${problemOf(err)}`);
  }
  const reports = objects
    .filter((o) => o.key.toLowerCase().endsWith(".json") && o.key.startsWith(listPrefix))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  if (reports.length === 0) throw new ReportInputError(where, "no kube-bench JSON reports (*.json) under this prefix");

  if (!cluster) {
    const clusters = new Set<string>();
    for (const o of reports) {
      const segments = o.key.slice(listPrefix.length).split("/").filter((s) => s !== "");
      if (segments.length >= 3) clusters.add(segments[0]);
    }
    if (clusters.size > 1) {
      throw new ReportInputError(
        where,
        `reports of ${clusters.size} clusters (${[...clusters].sort().join(", ")}): choose one with --cluster`,
      );
    }
  }

  // Every upload has a key of its own (`<timestamp>-<pod>.json`), so a key with a second version was
  // overwritten: the evidence layout allows it only to someone replacing a report.
  let versions: Map<string, number> | undefined;
  if (store.versions) {
    try {
      versions = await store.versions(input.bucket, listPrefix);
    } catch (err) {
      input.onNote?.(`${where}: cannot list object versions (${problemOf(err)}): overwritten reports cannot be detected`);
    }
  }
  return mapLimited(reports, 8, async (o) => {
    const location = `s3://${input.bucket}/${o.key}`;
    let text: string;
    try {
      text = await store.read(input.bucket, o.key);
    } catch (err) {
      throw new ReportInputError(location, `cannot read the object: ${problemOf(err)}`);
    }
    const segments = o.key.split("/").filter((s) => s !== "");
    const loaded = loadReportText(text, location, segments, o.lastModified);
    const integrity: string[] = [];
    const count = versions?.get(o.key) ?? 1;
    if (count > 1) integrity.push(`the key holds ${count} versions: the report was overwritten (every upload has a key of its own)`);
    // The store's time wins over the name: a name dated after the write is not when the scan ran.
    if (loaded.timeFromName && loaded.time.getTime() > o.lastModified.getTime() + CLOCK_SKEW_MS) {
      integrity.push(`its name says ${loaded.time.toISOString()}, but the store wrote it at ${o.lastModified.toISOString()}: a forged or mis-named report`);
      return { ...loaded, time: o.lastModified, timeFromName: false, integrity };
    }
    return integrity.length > 0 ? { ...loaded, integrity } : loaded;
  });
}

/**
 * The benchmark of the run. Without `wanted`, every report must name the same benchmark; with it,
 * reports of other benchmarks are left out (returned in `skipped`). The benchmark must be in the catalog.
 */
export function selectBenchmark(
  reports: readonly LoadedReport[],
  wanted?: string,
): { benchmark: Benchmark; reports: LoadedReport[]; skipped: LoadedReport[] } {
  if (reports.length === 0) throw new ReportInputError(undefined, "no kube-bench reports to read");
  // A report names its profile by the label its check files carry ("cis-1.12" for k3s-cis-1.12).
  const idOf = (r: LoadedReport): string => benchmarkOfReportLabel(r.benchmark) ?? r.benchmark;
  let id: string;
  let kept: LoadedReport[];
  let skipped: LoadedReport[] = [];
  if (wanted !== undefined) {
    if (!isBenchmarkId(wanted)) {
      throw new ReportInputError("--benchmark", `"${wanted}" is not supported (${SUPPORTED_BENCHMARKS.join(", ")})`);
    }
    id = wanted;
    kept = reports.filter((r) => idOf(r) === wanted);
    skipped = reports.filter((r) => idOf(r) !== wanted);
    if (kept.length === 0) {
      const seen = [...new Set(reports.map(idOf))].sort().join(", ");
      throw new ReportInputError("--benchmark", `no report of ${wanted} among the inputs (they are ${seen})`);
    }
  } else {
    const first = reports[0];
    const other = reports.find((r) => idOf(r) !== idOf(first));
    if (other !== undefined) {
      throw new ReportInputError(
        other.location,
        `benchmark ${idOf(other)} differs from ${idOf(first)} of ${first.location}: ` +
          "reports of different benchmark versions cannot be scored together; choose one with --benchmark",
      );
    }
    id = idOf(first);
    kept = [...reports];
  }
  if (!isBenchmarkId(id)) {
    const hint = id === "cis-1.9" ? ": it is Rancher security-scan's k3s-cis-1.9 (or generic cis-1.9), which differs from kube-bench's k3s-cis-1.9 that the catalog follows" : "";
    throw new ReportInputError(
      reports[0].location,
      `benchmark "${id}" is not one this project catalogs (${SUPPORTED_BENCHMARKS.join(", ")})${hint}`,
    );
  }
  const bench = getBenchmark(id as BenchmarkId);
  return { benchmark: bench, reports: kept, skipped };
}
