/**
 * `npm run report -- [options] <inputs...>`: reads stored kube-bench reports, scores them, decides the
 * gate, and prints a table (or JSON) and optionally writes the HTML dashboard.
 *
 * Exit codes: 0 the gate passes, 1 it fails, 2 the input (or an option) is bad: the message on stderr is
 * `report: <file>: <problem>`, never a stack trace.
 */
import { promises as fs } from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { evaluateChecklist } from "./checklist";
import { ReportInputError } from "./errors";
import { renderHtml } from "./html";
import { LoadedReport, ObjectStore, loadBucketReports, loadLocalReports, selectBenchmark } from "./load";
import { S3Settings, minioObjectStore, s3SettingsFromEnv } from "./s3";
import { assess, toJsonReport } from "./score";
import { renderTable } from "./table";

export const EXIT_PASS = 0;
export const EXIT_GATE_FAILED = 1;
export const EXIT_BAD_INPUT = 2;

export const DEFAULTS = { maxFail: 5, maxAgeDays: 8, prefix: "kube-bench/" } as const;

export const USAGE = `Usage: npm run report -- [options] <file.json|directory>...
       npm run report -- [options] --bucket <name> [--cluster <name>] [--prefix <prefix>]

Reads kube-bench JSON reports (the {Controls, Totals} object or the --nototals array), scores each
node on its newest report and the cluster on their sum, and decides the compliance gate.
A file <node>/<timestamp>.json (e.g. server-1/20261122T020000Z.json) is a report of <node> made at
<timestamp>; any other file is a node named after the file, timed by its modification time.

Options:
  --json                 print one JSON document on stdout instead of the table
  --html <file>          also write the self-contained HTML dashboard to <file>
  --bucket <name>        read the reports from this S3/MinIO bucket (endpoint and keys from
                         MINIO_URL, MINIO_ACCESS_KEY, MINIO_SECRET_KEY, or the AWS_* equivalents)
  --prefix <prefix>      key prefix of the reports in the bucket (default ${DEFAULTS.prefix})
  --cluster <name>       cluster folder under the prefix (needed when the bucket holds several)
  --max-fail <n>         the gate fails when the cluster's FAIL count reaches n (default ${DEFAULTS.maxFail})
  --max-age-days <d>     the gate fails when a node's newest report is older than d days
                         (default ${DEFAULTS.maxAgeDays}; 0 turns the check off)
  --benchmark <id>       score only the reports of this benchmark (e.g. k3s-cis-1.8); without it,
                         reports of different benchmarks are an error
  --now <time>           measure report age against this ISO time instead of the clock
  -h, --help             show this help

Exit codes: 0 gate passed, 1 gate failed, 2 bad input or options.
`;

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Record<string, string | undefined>;
  now(): Date;
  /** Builds the bucket client; replaced in tests. */
  objectStore(settings: S3Settings): ObjectStore;
}

export interface CliOptions {
  inputs: string[];
  json: boolean;
  html?: string;
  bucket?: string;
  prefix: string;
  cluster?: string;
  maxFail: number;
  maxAgeDays: number;
  benchmark?: string;
  now?: Date;
}

/** Parses argv (without node and the script). Returns "help" for -h/--help. */
export function parseCliArgs(argv: readonly string[]): CliOptions | "help" {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        json: { type: "boolean" },
        html: { type: "string" },
        bucket: { type: "string" },
        prefix: { type: "string" },
        cluster: { type: "string" },
        "max-fail": { type: "string" },
        "max-age-days": { type: "string" },
        benchmark: { type: "string" },
        now: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (err) {
    const message = err instanceof Error ? err.message.split("\n")[0] : String(err);
    throw new ReportInputError(undefined, `${message} (see --help)`);
  }
  const v = parsed.values;
  if (v.help) return "help";

  const integer = (name: string, raw: string | undefined, fallback: number, min: number): number => {
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw.trim()) || Number(raw) < min) {
      throw new ReportInputError(`--${name}`, `"${raw}" is not a whole number of at least ${min}`);
    }
    return Number(raw);
  };
  const maxFail = integer("max-fail", v["max-fail"], DEFAULTS.maxFail, 1);
  let maxAgeDays: number = DEFAULTS.maxAgeDays;
  const rawAge = v["max-age-days"];
  if (rawAge !== undefined) {
    if (!/^\d+(\.\d+)?$/.test(rawAge.trim())) {
      throw new ReportInputError("--max-age-days", `"${rawAge}" is not a number of days (0 turns the check off)`);
    }
    maxAgeDays = Number(rawAge);
  }
  let now: Date | undefined;
  if (v.now !== undefined) {
    now = new Date(v.now);
    if (Number.isNaN(now.getTime())) {
      throw new ReportInputError("--now", `"${v.now}" is not a time (e.g. 2026-11-22T12:00:00Z)`);
    }
  }
  for (const name of ["html", "bucket", "prefix", "cluster", "benchmark"] as const) {
    const value = v[name];
    if (value !== undefined && value.trim() === "" && name !== "prefix") {
      throw new ReportInputError(`--${name}`, "must not be empty");
    }
  }
  if (v.bucket === undefined && (v.cluster !== undefined || v.prefix !== undefined)) {
    throw new ReportInputError(v.cluster !== undefined ? "--cluster" : "--prefix", "only applies with --bucket");
  }
  return {
    inputs: parsed.positionals,
    json: v.json === true,
    html: v.html,
    bucket: v.bucket,
    prefix: v.prefix ?? DEFAULTS.prefix,
    cluster: v.cluster,
    maxFail,
    maxAgeDays,
    benchmark: v.benchmark,
    now,
  };
}

async function loadAll(options: CliOptions, io: CliIo): Promise<LoadedReport[]> {
  if (options.inputs.length === 0 && options.bucket === undefined) {
    throw new ReportInputError(undefined, "no input: give kube-bench JSON files or directories, or --bucket <name> (see --help)");
  }
  const reports: LoadedReport[] = [];
  if (options.inputs.length > 0) reports.push(...(await loadLocalReports(options.inputs)));
  if (options.bucket !== undefined) {
    const store = io.objectStore(s3SettingsFromEnv(io.env));
    reports.push(...(await loadBucketReports(store, { bucket: options.bucket, prefix: options.prefix, cluster: options.cluster, onNote: (n) => io.stderr(`report: ${n}\n`) })));
  }
  return reports;
}

async function writeHtml(file: string, html: string): Promise<void> {
  try {
    await fs.mkdir(path.dirname(path.resolve(file)), { recursive: true });
    await fs.writeFile(file, html, "utf8");
  } catch (err) {
    const code = typeof err === "object" && err !== null && "code" in err ? String((err as { code: unknown }).code) : "";
    const problem = code === "EACCES" || code === "EPERM" ? "permission denied" : err instanceof Error ? err.message : String(err);
    throw new ReportInputError(file, `cannot write the HTML dashboard: ${problem}`);
  }
}

/** Runs the command; returns the exit code. Never throws. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const options = parseCliArgs(argv);
    if (options === "help") {
      io.stdout(USAGE);
      return EXIT_PASS;
    }
    const loaded = await loadAll(options, io);
    const { benchmark, reports, skipped } = selectBenchmark(loaded, options.benchmark);
    for (const r of skipped) io.stderr(`report: ${r.location}: skipped, benchmark ${r.benchmark} is not ${benchmark.id}\n`);
    const now = options.now ?? io.now();
    const assessment = assess(reports, benchmark, { maxFail: options.maxFail, maxAgeDays: options.maxAgeDays, now });
    const checklist = evaluateChecklist(assessment);
    if (options.html !== undefined) {
      const htmlDir = path.dirname(path.resolve(options.html));
      await writeHtml(options.html, renderHtml(assessment, checklist, { generatedAt: now, htmlDir }));
    }
    if (options.json) io.stdout(`${JSON.stringify(toJsonReport(assessment), null, 2)}\n`);
    else io.stdout(renderTable(assessment, checklist));
    return assessment.gate.passed ? EXIT_PASS : EXIT_GATE_FAILED;
  } catch (err) {
    if (err instanceof ReportInputError) {
      io.stderr(`report: ${err.describe()}\n`);
    } else {
      // A bug, not bad input; still no stack trace unless asked for.
      const message = err instanceof Error ? err.message : String(err);
      io.stderr(`report: internal error: ${message}\n`);
      if (io.env.REPORT_DEBUG && err instanceof Error && err.stack) io.stderr(`${err.stack}\n`);
    }
    return EXIT_BAD_INPUT;
  }
}

export const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  now: () => new Date(),
  objectStore: minioObjectStore,
};

if (require.main === module) {
  void main(process.argv.slice(2), processIo).then((code) => {
    process.exitCode = code;
  });
}
