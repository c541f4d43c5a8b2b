/**
 * `npm run scan -- [--json] [--config <policy-config.json>] [--benchmark <id>] <file or directory>...`
 *
 * Runs the CrossGuard pack's resource policies over plain Kubernetes YAML (rendered output, or manifests
 * a team already has), outside the engine. Exit codes: 0 no mandatory violation, 1 at least one,
 * 2 bad input (unreadable file, invalid YAML with file and line, bad config or arguments).
 */
import * as fs from "fs";
import * as path from "path";
import { Composer, LineCounter, Parser } from "yaml";
import { BenchmarkId, getBenchmark, isBenchmarkId, SUPPORTED_BENCHMARKS } from "../components/cis";
import { isObject } from "../policy/rules/access";
import {
  BENCHMARK_ENV,
  BENCHMARK_POLICY,
  configSchemaFor,
  configuredBenchmark,
  DEFAULT_BENCHMARK,
  PackConfig,
  validatePackConfig,
} from "../policy/rules/config";
import { RESOURCE_RULES } from "../policy/rules/index";
import { scanObjects, ScanResult, SourcedObject } from "../policy/rules/scan";
import { JsonSchema, KubeObject } from "../policy/rules/types";
import { STACK_RULES } from "../policy/stack/index";

const USAGE = "usage: npm run scan -- [--json] [--config <policy-config.json>] [--benchmark <id>] <file or directory of YAML>...";

/** A problem with what the user gave us: exit code 2. */
export class InputError extends Error {}

interface Options {
  json: boolean;
  config?: string;
  benchmark?: string;
  paths: string[];
}

export function parseArgs(argv: readonly string[]): Options {
  const opts: Options = { json: false, paths: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--json") opts.json = true;
    else if (a === "--config" || a === "--benchmark") {
      const v = argv[++i];
      if (v === undefined) throw new InputError(`${a} needs a value\n${USAGE}`);
      if (a === "--config") opts.config = v;
      else opts.benchmark = v;
    } else if (a.startsWith("--config=")) opts.config = a.slice("--config=".length);
    else if (a.startsWith("--benchmark=")) opts.benchmark = a.slice("--benchmark=".length);
    else if (a === "-h" || a === "--help") throw new InputError(USAGE);
    else if (a.startsWith("-") && a !== "-") throw new InputError(`unknown option ${a}\n${USAGE}`);
    else opts.paths.push(a);
  }
  if (opts.paths.length === 0) throw new InputError(`no file or directory given\n${USAGE}`);
  return opts;
}

/** Bounds on what one input file may hold: beyond them the scan stops with an error naming the file. */
export const SCAN_LIMITS = {
  /** Bytes of one YAML file. */
  fileBytes: 64 * 1024 * 1024,
  /** YAML documents (and List items) in one file. */
  documents: 200_000,
  /** Aliases one document may expand (the yaml library's guard against alias bombs). */
  aliases: 100,
} as const;

/** Whether `p` is a regular file (after following a symlink); FIFOs, devices and sockets are not. */
function regularFile(p: string, stat: fs.Stats): boolean {
  if (stat.isSymbolicLink()) {
    try {
      return fs.statSync(p).isFile();
    } catch {
      return false;
    }
  }
  return stat.isFile();
}

/** YAML files under `p` (itself if a file), sorted, so output is stable. Only regular files are read. */
export function yamlFiles(p: string): string[] {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(p);
  } catch (e) {
    throw new InputError(`${p}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  if (stat.isFile()) return [p];
  if (!stat.isDirectory()) throw new InputError(`${p}: not a regular file or directory (a FIFO, device or socket is never read)`);
  const out: string[] = [];
  for (const entry of fs.readdirSync(p, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const child = path.join(p, entry.name);
    if (entry.isDirectory()) out.push(...yamlFiles(child));
    else if (/\.ya?ml$/i.test(entry.name)) {
      if (!regularFile(child, fs.lstatSync(child))) throw new InputError(`${child}: not a regular file (a FIFO, device, socket or dangling link); remove it or scan another folder`);
      out.push(child);
    }
  }
  return out;
}

function readBounded(file: string): string {
  let fd: number | undefined;
  try {
    // O_NONBLOCK: opening a FIFO named on the command line must not wait for a writer.
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new InputError(`${file}: not a regular file (a FIFO, device or socket is never read)`);
    if (st.size > SCAN_LIMITS.fileBytes) {
      throw new InputError(`${file}: ${st.size} bytes is more than the ${SCAN_LIMITS.fileBytes} a file may hold; split it into smaller files`);
    }
    return fs.readFileSync(fd, "utf8");
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * Every Kubernetes object in a YAML file (multi-document; `List` kinds expanded), one document at a
 * time: only the current document is held, not the whole parsed file.
 */
export function* manifestObjects(file: string): Generator<SourcedObject> {
  const text = readBounded(file);
  const lineCounter = new LineCounter();
  const composer = new Composer({ prettyErrors: false });
  let count = 0;
  for (const doc of composer.compose(new Parser(lineCounter.addNewLine).parse(text), true, text.length)) {
    const err = doc.errors[0];
    if (err) {
      const pos = lineCounter.linePos(err.pos[0]);
      throw new InputError(`${file}:${pos.line}:${pos.col}: invalid YAML: ${err.message.split("\n")[0]}`);
    }
    const line = lineCounter.linePos(doc.contents?.range[0] ?? doc.range[0]).line;
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: SCAN_LIMITS.aliases });
    } catch (e) {
      throw new InputError(`${file}:${line}: ${(e as Error).message} (more than ${SCAN_LIMITS.aliases} alias expansions); a manifest never needs that many`);
    }
    if (value === null || value === undefined) continue;
    if (!isObject(value) || typeof value.apiVersion !== "string" || typeof value.kind !== "string") {
      throw new InputError(`${file}:${line}: document is not a Kubernetes object (needs apiVersion and kind)`);
    }
    const items = value.kind.endsWith("List") && Array.isArray(value.items) ? value.items : undefined;
    count += items ? items.length : 1;
    if (count > SCAN_LIMITS.documents) {
      throw new InputError(`${file}:${line}: more than ${SCAN_LIMITS.documents} objects in one file; split it into smaller files`);
    }
    if (items) {
      for (const [i, item] of items.entries()) {
        if (!isObject(item)) throw new InputError(`${file}:${line}: ${value.kind}.items[${i}] is not an object`);
        yield { obj: item as KubeObject, file, line };
      }
    } else {
      yield { obj: value, file, line };
    }
  }
}


/** Every policy's config schema, for validating a config file. */
function packSchemas(): Map<string, { properties: { [key: string]: JsonSchema } }> {
  const m = new Map<string, { properties: { [key: string]: JsonSchema } }>();
  for (const r of RESOURCE_RULES) m.set(r.name, configSchemaFor(r.options));
  for (const r of STACK_RULES) m.set(r.name, configSchemaFor(r.options, r.exemptable === true));
  return m;
}

export function loadConfig(file: string | undefined): PackConfig {
  if (file === undefined) return {};
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new InputError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  let config: unknown;
  try {
    config = text.trim() === "" ? {} : JSON.parse(text);
  } catch (e) {
    throw new InputError(`${file}: invalid JSON: ${(e as Error).message}`);
  }
  const problems = validatePackConfig(config, packSchemas());
  if (problems.length > 0) throw new InputError(`${file}: invalid policy config:\n  ${problems.join("\n  ")}`);
  return config as PackConfig;
}

/** --benchmark, else K3S_CIS_BENCHMARK, else the config's cis-benchmark.benchmark, else the default. */
export function selectBenchmark(flag: string | undefined, env: NodeJS.ProcessEnv, config: PackConfig): BenchmarkId {
  const stated = configuredBenchmark(config);
  const [value, source] =
    flag !== undefined ? [flag, "--benchmark"] : env[BENCHMARK_ENV] ? [env[BENCHMARK_ENV] as string, BENCHMARK_ENV] : [stated ?? DEFAULT_BENCHMARK, "config"];
  if (!isBenchmarkId(value)) throw new InputError(`${source}: "${value}" is not a supported benchmark (${SUPPORTED_BENCHMARKS.join(", ")})`);
  if (stated !== undefined && stated !== value) {
    throw new InputError(`${source} selects ${value} but the policy config states ${BENCHMARK_POLICY}.benchmark ${stated}`);
  }
  return value;
}

function formatText(result: ScanResult): string[] {
  return result.violations.map((v) => {
    const where = v.namespace ? `${v.namespace}/${v.name}` : v.name;
    return `${v.file}:${v.line}: ${v.enforcement} ${v.policy} [CIS ${v.control}] ${v.kind} ${where}: ${v.message}`;
  });
}

export interface ScanIO {
  stdout(text: string): void;
  stderr(text: string): void;
  env: NodeJS.ProcessEnv;
}

/** The whole command; returns the exit code. */
export function runScan(argv: readonly string[], io: ScanIO): number {
  try {
    const opts = parseArgs(argv);
    const config = loadConfig(opts.config);
    const benchmark = selectBenchmark(opts.benchmark, io.env, config);
    const files = opts.paths.flatMap(yamlFiles);
    function* objects(): Generator<SourcedObject> {
      for (const f of files) yield* manifestObjects(f);
    }
    const result = scanObjects(objects(), getBenchmark(benchmark), config);
    const mandatory = result.violations.filter((v) => v.enforcement === "mandatory").length;
    if (opts.json) {
      const violations = result.violations.map(({ line: _line, ...v }) => v);
      io.stdout(JSON.stringify({ resources: result.resources, violations }, null, 2) + "\n");
    } else {
      for (const l of formatText(result)) io.stdout(l + "\n");
      for (const x of result.exempted) io.stderr(`${x.file}: ${x.policy} not applicable to ${x.kind} ${x.name}: exempted: ${x.reasons.join("; ")}\n`);
      io.stderr(
        `scanned ${result.resources} resources in ${files.length} files against ${benchmark}: ` +
          `${result.violations.length} violations (${mandatory} mandatory)\n`,
      );
    }
    return mandatory > 0 ? 1 : 0;
  } catch (e) {
    if (e instanceof InputError) {
      io.stderr(`scan: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

if (require.main === module) {
  process.exitCode = runScan(process.argv.slice(2), {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env: process.env,
  });
}
