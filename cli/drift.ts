/**
 * `npm run drift -- --stack <name> [--json] [--project <dir>] [--config-file <file>]`: the drift check of
 * `pulumi preview`, without a deployment: reads every node of the stack over SSH (read-only) and prints,
 * per node and item, what differs from the stack.
 *
 * The stack's configuration (with its secrets: the SSH key, and the k3s token that is part of
 * config.yaml) comes from `pulumi config --json --show-secrets`, so the CLI must be able to open the stack
 * (backend login, PULUMI_CONFIG_PASSPHRASE). Secrets are never printed.
 *
 * Exit codes: 0 every node in sync, 1 drift or pending changes, 2 bad input or an unreachable node.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { parseArgs } from "node:util";
import { RawStackConfig } from "../components/config/reader";
import { parseValue } from "../components/config/load";
import { validateStackConfig } from "../components/config/validate";
import { Finding } from "../components/node/drift";
import { mapLimit } from "../components/node/ssh";
import { DRIFT_PROBE_CONCURRENCY, probeNodeDrift } from "../components/node/probe";

interface NodeReport {
  node: string;
  host: string;
  status: "in-sync" | "drift" | "pending" | "unreachable";
  findings: Finding[];
  error?: string;
}

function usage(msg?: string): never {
  if (msg) process.stderr.write(`drift: ${msg}\n`);
  process.stderr.write("usage: npm run drift -- --stack <name> [--json] [--project <dir>] [--config-file <file>]\n");
  process.exit(2);
}

/** The project's configuration with secrets, as the engine would give it to the program. */
export function stackConfigFromCli(projectDir: string, stack: string, configFile?: string): RawStackConfig {
  const args = ["config", "--json", "--show-secrets", "--stack", stack, ...(configFile ? ["--config-file", configFile] : [])];
  const r = spawnSync("pulumi", args, { cwd: projectDir, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw new Error(`could not run the pulumi CLI (${r.error.message}); it reads the stack's configuration and secrets`);
  if (r.status !== 0) throw new Error(`pulumi config --stack ${stack} failed: ${r.stderr.trim().split("\n").pop()}`);
  const project = projectName(projectDir);
  const values: Record<string, unknown> = {};
  const secretKeys = new Set<string>();
  for (const [fullKey, v] of Object.entries(JSON.parse(r.stdout) as Record<string, { value?: string; objectValue?: unknown; secret?: boolean }>)) {
    if (!fullKey.startsWith(`${project}:`)) continue;
    const key = fullKey.slice(project.length + 1);
    values[key] = v.objectValue !== undefined ? v.objectValue : parseValue(v.value ?? "");
    if (v.secret) secretKeys.add(key);
  }
  return { values, secretKeys, source: "engine" };
}

function projectName(dir: string): string {
  const file = path.join(dir, "Pulumi.yaml");
  if (!fs.existsSync(file)) throw new Error(`${file} not found: run from the project directory or pass --project`);
  return (YAML.parse(fs.readFileSync(file, "utf8")) as { name: string }).name;
}

function table(reports: NodeReport[]): string {
  const rows: string[][] = [["NODE", "STATUS", "ITEM", "WHAT", "DETAIL", "RESTART"]];
  for (const r of reports) {
    if (r.findings.length === 0) rows.push([r.node, r.status, "-", "-", r.error ?? "", "-"]);
    for (const f of r.findings) rows.push([r.node, f.category, f.item, f.what, f.detail, f.restarts ? "yes" : "no"]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  return rows.map((row) => row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]))).join("  ")).join("\n") + "\n";
}

async function main(): Promise<number> {
  let values: { stack?: string; json?: boolean; project?: string; "config-file"?: string };
  try {
    values = parseArgs({ options: { stack: { type: "string" }, json: { type: "boolean" }, project: { type: "string" }, "config-file": { type: "string" } } }).values;
  } catch (e) {
    usage((e as Error).message);
  }
  if (!values.stack) usage("--stack is required");
  const projectDir = path.resolve(values.project ?? process.cwd());
  let cfg;
  try {
    cfg = validateStackConfig(stackConfigFromCli(projectDir, values.stack, values["config-file"] && path.resolve(values["config-file"])));
  } catch (e) {
    process.stderr.write(`drift: ${(e as Error).message}\n`);
    return 2;
  }
  const reports = await mapLimit(cfg.nodes, DRIFT_PROBE_CONCURRENCY, async (node): Promise<NodeReport> => {
    const host = `${node.host}:${node.port}`;
    try {
      const d = await probeNodeDrift(cfg, node);
      const status = d.findings.some((f) => f.category === "drift") ? "drift" : d.findings.length > 0 ? "pending" : "in-sync";
      return { node: node.name, host, status, findings: d.findings };
    } catch (e) {
      return { node: node.name, host, status: "unreachable", findings: [], error: (e as Error).message };
    }
  });
  if (values.json) process.stdout.write(JSON.stringify({ stack: values.stack, nodes: reports }, null, 2) + "\n");
  else process.stdout.write(table(reports));
  if (reports.some((r) => r.status === "unreachable")) return 2;
  return reports.some((r) => r.status !== "in-sync") ? 1 : 0;
}

main().then(
  (code) => (process.exitCode = code),
  (e: Error) => {
    process.stderr.write(`drift: ${e.message}\n`);
    process.exitCode = 2;
  },
);
