/**
 * Cost of the drift check: `pulumi preview` wall time with the check (one read-only SSH probe per node)
 * against the same preview without it, on 3 and 20 SSH test nodes (test/e2e/harness), after a first
 * `pulumi up` so that both previews see a converged stack (the one with the check must report no
 * changes). Prints figures; not a test.
 *
 * Needs root and the engine on PATH (scripts/build-engine.sh); says so and skips otherwise.
 * Env: DRIFT_BENCH_SIZES (default "3,20"), DRIFT_BENCH_RUNS (default 3).
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";

const REPO = path.resolve(__dirname, "..");
const HARNESS = path.join(REPO, "test/e2e/harness/nodes.sh");
const SIZES = (process.env.DRIFT_BENCH_SIZES ?? "3,20").split(",").map(Number);
const RUNS = Number(process.env.DRIFT_BENCH_RUNS ?? "3");

function skip(why: string): never {
  console.log(`drift check cost: not measured (${why})`);
  process.exit(0);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function measure(n: number): { withCheck: number[]; without: number[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `k3sh-drift-bench-${n}-`));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
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
  const cfgFile = path.join(dir, "Pulumi.bench.yaml");
  const pulumi = (args: string[], input?: string): number => {
    const cfg = ["stack", "state"].includes(args[0]) ? [] : ["--config-file", cfgFile];
    const t0 = process.hrtime.bigint();
    const r = spawnSync("pulumi", [...args, "--stack", "bench", ...cfg, "--non-interactive"], { cwd: REPO, env, input, encoding: "utf8", maxBuffer: 64 << 20 });
    if (r.status !== 0) throw new Error(`pulumi ${args.join(" ")} failed:\n${r.stdout}\n${r.stderr}`);
    return Number(process.hrtime.bigint() - t0) / 1e9;
  };
  try {
    execFileSync(HARNESS, ["up"], { env, stdio: ["ignore", "ignore", "inherit"] });
    const nodes = JSON.parse(fs.readFileSync(path.join(dir, "nodes.json"), "utf8")) as Array<Record<string, unknown>>;
    fs.mkdirSync(path.join(dir, "state"));
    pulumi(["stack", "init", "--secrets-provider", "passphrase"]);
    fs.renameSync(path.join(REPO, "Pulumi.bench.yaml"), cfgFile);
    const set = (key: string, value: unknown) => {
      const doc = (YAML.parse(fs.readFileSync(cfgFile, "utf8")) ?? {}) as { config?: Record<string, unknown> };
      doc.config = { ...(doc.config ?? {}), [`k3s-hardening:${key}`]: value };
      fs.writeFileSync(cfgFile, YAML.stringify(doc));
    };
    set("nodes", nodes.map((x) => ({ name: x.name, host: x.host, user: x.user, role: x.role, hostKey: x.hostKey })));
    set("rollout", { healthTimeoutSeconds: 10, agentBatchSize: 5 });
    set("kubernetes", { renderYamlToDirectory: path.join(dir, "manifests") });
    pulumi(["config", "set", "--secret", "k3s-hardening:sshPrivateKey"], fs.readFileSync(String(nodes[0].privateKeyPath), "utf8"));
    pulumi(["up", "--yes", "--skip-preview"]);
    const withCheck: number[] = [];
    const without: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      set("driftCheck", true);
      withCheck.push(pulumi(["preview", "--expect-no-changes"]));
      // Without the check the sync marker is left out of the apply commands, so this preview shows them
      // as updates; it still computes the same plan for the same resources.
      set("driftCheck", false);
      without.push(pulumi(["preview"]));
    }
    return { withCheck, without };
  } finally {
    spawnSync(HARNESS, ["down"], { env, stdio: "ignore" });
    spawnSync(HARNESS, ["down"], { env: { ...env, E2E_NODE_COUNT: "" }, stdio: "ignore" });
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(path.join(REPO, "Pulumi.bench.yaml"), { force: true });
  }
}

if (process.getuid?.() !== 0) skip("needs root for the SSH test nodes");
if (spawnSync("pulumi", ["version"], { encoding: "utf8" }).status !== 0) skip("no pulumi CLI on PATH; see scripts/build-engine.sh");

console.log(`drift check cost: pulumi preview of a converged stack, median of ${RUNS} runs each`);
console.log("nodes  with check (s)  without (s)  ratio  extra per node (ms)");
for (const n of SIZES) {
  const r = measure(n);
  const a = median(r.withCheck);
  const b = median(r.without);
  console.log(
    `${String(n).padStart(5)}  ${a.toFixed(1).padStart(14)}  ${b.toFixed(1).padStart(11)}  ${(a / b).toFixed(2).padStart(5)}  ${(((a - b) * 1000) / n).toFixed(0).padStart(19)}` +
      `   (with: ${r.withCheck.map((x) => x.toFixed(1)).join(", ")}; without: ${r.without.map((x) => x.toFixed(1)).join(", ")})`,
  );
}
