/**
 * A throw-away stack on the SSH test nodes (test/e2e/harness), for the benchmarks that run the engine:
 * nodes up, a local file backend with a passphrase, the stack config in the temp folder, and timed
 * `pulumi` calls. `close()` takes the nodes down and removes everything.
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";

export const REPO = path.resolve(__dirname, "..");
const HARNESS = path.join(REPO, "test/e2e/harness/nodes.sh");
const STACK = "bench";

export interface BenchNode {
  name: string;
  host: string;
  user: string;
  role: string;
  hostKey: string;
  privateKeyPath: string;
  root: string;
  state: string;
}

export interface TestStack {
  dir: string;
  nodes: BenchNode[];
  /** Runs pulumi on the stack; throws with its output on failure. */
  pulumi(args: string[], input?: string): { seconds: number; stdout: string };
  /** Sets one `k3s-hardening:<key>` value in the stack config file. */
  set(key: string, value: unknown): void;
  close(): void;
}

/** Skips the benchmark (exit 0, saying why) unless it can run the engine on test nodes here. */
export function requireEngineAndRoot(what: string): void {
  const skip = (why: string) => {
    console.log(`${what}: not measured (${why})`);
    process.exit(0);
  };
  if (process.getuid?.() !== 0) skip("needs root for the SSH test nodes");
  if (spawnSync("pulumi", ["version"], { encoding: "utf8" }).status !== 0) skip("no pulumi CLI on PATH; see scripts/build-engine.sh");
}

/** `n` test nodes and an initialised stack with the nodes and the SSH key set. */
export function openTestStack(n: number, label: string, extraEnv: NodeJS.ProcessEnv = {}): TestStack {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `k3sh-${label}-bench-${n}-`));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...extraEnv,
    E2E_DIR: dir,
    E2E_NODE_COUNT: String(n),
    SSH_AUTH_SOCK: "",
    PULUMI_HOME: path.join(dir, "pulumi-home"),
    PULUMI_CONFIG_PASSPHRASE: "bench-only",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_BACKEND_URL: `file://${path.join(dir, "state")}`,
    NO_COLOR: "1",
  };
  const cfgFile = path.join(dir, `Pulumi.${STACK}.yaml`);
  const close = () => {
    spawnSync(HARNESS, ["down"], { env, stdio: "ignore" });
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(path.join(REPO, `Pulumi.${STACK}.yaml`), { force: true });
  };
  const pulumi = (args: string[], input?: string) => {
    const cfg = ["stack", "state"].includes(args[0]) ? [] : ["--config-file", cfgFile];
    const t0 = process.hrtime.bigint();
    const r = spawnSync("pulumi", [...args, "--stack", STACK, ...cfg, "--non-interactive"], { cwd: REPO, env, input, encoding: "utf8", maxBuffer: 64 << 20 });
    if (r.status !== 0) throw new Error(`pulumi ${args.join(" ")} failed:\n${r.stdout}\n${r.stderr}`);
    return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, stdout: r.stdout };
  };
  const set = (key: string, value: unknown) => {
    const doc = (YAML.parse(fs.readFileSync(cfgFile, "utf8")) ?? {}) as { config?: Record<string, unknown> };
    doc.config = { ...(doc.config ?? {}), [`k3s-hardening:${key}`]: value };
    fs.writeFileSync(cfgFile, YAML.stringify(doc));
  };
  try {
    execFileSync(HARNESS, ["up"], { env, stdio: ["ignore", "ignore", "inherit"] });
    const nodes = JSON.parse(fs.readFileSync(path.join(dir, "nodes.json"), "utf8")) as BenchNode[];
    fs.mkdirSync(path.join(dir, "state"));
    pulumi(["stack", "init", "--secrets-provider", "passphrase"]);
    // `stack init` writes the stack file next to Pulumi.yaml; keep it in the temp folder.
    fs.renameSync(path.join(REPO, `Pulumi.${STACK}.yaml`), cfgFile);
    set("nodes", nodes.map((x) => ({ name: x.name, host: x.host, user: x.user, role: x.role, hostKey: x.hostKey })));
    pulumi(["config", "set", "--secret", "k3s-hardening:sshPrivateKey"], fs.readFileSync(nodes[0].privateKeyPath, "utf8"));
    return { dir, nodes, pulumi, set, close };
  } catch (e) {
    close();
    throw e;
  }
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
