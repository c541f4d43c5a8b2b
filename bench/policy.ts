/**
 * `npm run bench:policy`: how fast the pack's resource policies run.
 *
 * 1. Resource validations per second over 10,000 generated workloads (all seven pod-bearing kinds, a
 *    mix of compliant and violating specs), through the same evaluation path as the pack and `scan`
 *    (rules + exemptions + enforcement). One validation = one policy judging one resource. Node runs it
 *    on one thread, so the figure is per core. Target: at least 20,000 per second.
 * 2. The same through the CrossGuard wrappers with props in @pulumi/policy's unknown-checking proxy,
 *    as the engine calls them (only when policy/node_modules is installed).
 * 3. Engine preview time with and without the pack on the same stack (target overhead under 15%), only
 *    when the pulumi CLI is on PATH. Set POLICY_BENCH_STACK (and optionally POLICY_BENCH_DIR, the
 *    project directory, default the repo root) to choose the stack, and POLICY_BENCH_PACK to run a
 *    copy of the pack (default policy/).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { getBenchmark } from "../components/cis";
import { PackConfig } from "../policy/rules/config";
import { pulumiTypeOf } from "../policy/rules/kinds";
import { scanObjects, SourcedObject } from "../policy/rules/scan";
import { KubeObject } from "../policy/rules/types";

const WORKLOADS = 10_000;
const TARGET_PER_SECOND = 20_000;
const KINDS = ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"] as const;
const ROOT = path.resolve(__dirname, "..");

/** A deterministic pseudo-random generator, so every run judges the same workloads. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function container(name: string, r: () => number): Record<string, unknown> {
  const c: Record<string, any> = {
    name,
    image: `registry.example.com/app/${name}:1.${Math.floor(r() * 20)}`,
    ports: [{ containerPort: 8000 + Math.floor(r() * 1000) }],
    env: [{ name: "MODE", value: "production" }],
    securityContext: { allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ["ALL"] } },
  };
  // About one workload in four breaks something, each a different control.
  const roll = r();
  if (roll < 0.03) c.securityContext.privileged = true;
  else if (roll < 0.06) delete c.securityContext.allowPrivilegeEscalation;
  else if (roll < 0.09) c.securityContext.capabilities = { add: ["NET_ADMIN"] };
  else if (roll < 0.12) c.ports[0].hostPort = 8080;
  else if (roll < 0.15) c.env.push({ name: "TOKEN", valueFrom: { secretKeyRef: { name: "api", key: "token" } } });
  else if (roll < 0.18) delete c.securityContext;
  return c;
}

function podSpec(r: () => number): Record<string, unknown> {
  const spec: Record<string, any> = {
    serviceAccountName: "app",
    automountServiceAccountToken: r() < 0.9 ? false : undefined,
    securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: "RuntimeDefault" } },
    initContainers: [container("init", r)],
    containers: [container("app", r), container("sidecar", r)],
    volumes: [{ name: "config", configMap: { name: "app" } }],
  };
  if (r() < 0.03) spec.hostNetwork = true;
  if (r() < 0.03) spec.volumes.push({ name: "host", hostPath: { path: "/var/log" } });
  return spec;
}

export function generateWorkloads(count: number, seed = 42): SourcedObject[] {
  const r = rng(seed);
  const out: SourcedObject[] = [];
  for (let i = 0; i < count; i++) {
    const kind = KINDS[i % KINDS.length];
    const metadata = { name: `app-${i}`, namespace: r() < 0.05 ? "default" : `team-${i % 17}` };
    const template = { metadata: { labels: { app: `app-${i}` } }, spec: podSpec(r) };
    const apiVersion = kind === "Pod" ? "v1" : kind === "Job" || kind === "CronJob" ? "batch/v1" : "apps/v1";
    let spec: unknown;
    if (kind === "Pod") spec = template.spec;
    else if (kind === "Job") spec = { template };
    else if (kind === "CronJob") spec = { schedule: "0 * * * *", jobTemplate: { spec: { template } } };
    else spec = { selector: { matchLabels: template.metadata.labels }, template };
    out.push({ obj: { apiVersion, kind, metadata, spec } as KubeObject, file: "generated", line: i + 1 });
  }
  return out;
}

const CONFIG: PackConfig = {
  "cis-pod-host-path": { exemptions: [{ kind: "DaemonSet", name: "app-1*", reason: "bench: exemption matching cost" }] },
  "cis-pod-privileged": { exemptions: [{ container: "sidecar", reason: "bench: container exemption cost" }] },
};

function fmt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

function measureRules(objects: SourcedObject[]): void {
  const bench = getBenchmark("k3s-cis-1.7");
  scanObjects(objects.slice(0, 500), bench, CONFIG); // warm-up (JIT)
  const rounds = 5;
  let best = Infinity;
  let evaluations = 0;
  let violations = 0;
  for (let i = 0; i < rounds; i++) {
    const t0 = process.hrtime.bigint();
    const result = scanObjects(objects, bench, CONFIG);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    best = Math.min(best, ms);
    evaluations = result.evaluations;
    violations = result.violations.length;
  }
  const perSecond = (evaluations / best) * 1000;
  console.log(`rules (plain objects, as npm run scan): ${fmt(objects.length)} workloads, ${fmt(evaluations)} resource validations, ${fmt(violations)} violations`);
  console.log(`  best of ${rounds}: ${best.toFixed(1)} ms -> ${fmt(perSecond)} resource validations/s, ${fmt((objects.length / best) * 1000)} resources/s`);
  console.log(`  target >= ${fmt(TARGET_PER_SECOND)} validations/s on one core: ${perSecond >= TARGET_PER_SECOND ? "met" : "NOT MET"}`);
}

function measurePack(objects: SourcedObject[]): void {
  const policyDir = path.join(ROOT, "policy");
  if (!fs.existsSync(path.join(policyDir, "node_modules", "@pulumi", "policy"))) {
    console.log("pack wrappers: not measured (run npm ci in policy/ first)");
    return;
  }
  /* eslint-disable @typescript-eslint/no-var-requires */
  const sdk = require(require.resolve("@pulumi/policy", { paths: [policyDir] })) as { unknownCheckingProxy(x: unknown): any };
  const pack = require(path.join(policyDir, "pack")) as {
    buildPolicies(c: { id: string; source: string }): { validateResource?: (args: any, report: (m: string) => void) => void }[];
  };
  /* eslint-enable @typescript-eslint/no-var-requires */
  const policies = pack.buildPolicies({ id: "k3s-cis-1.7", source: "bench" }).filter((p) => p.validateResource);
  class NotApplicable extends Error {}
  const run = (): number => {
    let calls = 0;
    for (const { obj } of objects) {
      const args = {
        type: pulumiTypeOf(obj.kind as string),
        props: sdk.unknownCheckingProxy(obj),
        name: (obj.metadata as { name: string }).name,
        getConfig: () => ({}),
        notApplicable: () => {
          throw new NotApplicable();
        },
      };
      for (const p of policies) {
        try {
          p.validateResource!(args, () => undefined);
          calls++;
        } catch (e) {
          if (!(e instanceof NotApplicable)) throw e;
        }
      }
    }
    return calls;
  };
  run();
  let best = Infinity;
  let calls = 0;
  for (let i = 0; i < 3; i++) {
    const t0 = process.hrtime.bigint();
    calls = run();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e6);
  }
  console.log(`pack wrappers (props in the SDK's unknown-checking proxy, as in the engine): ${fmt(calls)} resource validations`);
  console.log(`  best of 3: ${best.toFixed(1)} ms -> ${fmt((calls / best) * 1000)} resource validations/s`);
}

/** All policies advisory, so a violating stack still previews to the end (same work, exit 0). */
const ADVISORY_CONFIG = path.join(require("os").tmpdir(), "k3s-cis-bench-advisory.json");

function measureEngine(): void {
  fs.writeFileSync(ADVISORY_CONFIG, JSON.stringify({ all: "advisory" }));
  const which = spawnSync(process.platform === "win32" ? "where" : "which", ["pulumi"], { encoding: "utf8" });
  if (which.status !== 0) {
    console.log("engine preview: not measured (no pulumi CLI on PATH)");
    return;
  }
  const dir = process.env.POLICY_BENCH_DIR ?? ROOT;
  const packDir = process.env.POLICY_BENCH_PACK ?? path.join(ROOT, "policy");
  const stack = process.env.POLICY_BENCH_STACK;
  const base = ["preview", "--non-interactive", "--diff=false", ...(stack ? ["--stack", stack] : [])];
  const time = (extra: string[]): number | string => {
    const t0 = process.hrtime.bigint();
    const r = spawnSync("pulumi", [...base, ...extra], { cwd: dir, encoding: "utf8" });
    if (r.status !== 0) return (r.stderr || r.stdout).trim().split("\n").slice(-1)[0] ?? `exit ${r.status}`;
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const runs = 3;
  const without: number[] = [];
  const withPack: number[] = [];
  for (let i = 0; i < runs; i++) {
    const a = time([]);
    // Every policy advisory: a mandatory violation would end the preview with an error.
    const b = time(["--policy-pack", packDir, "--policy-pack-config", ADVISORY_CONFIG]);
    if (typeof a === "string" || typeof b === "string") {
      console.log(`engine preview: failed (${typeof a === "string" ? a : b})`);
      return;
    }
    without.push(a);
    withPack.push(b);
  }
  const m0 = median(without);
  const m1 = median(withPack);
  const overhead = ((m1 - m0) / m0) * 100;
  console.log(`engine preview (${stack ?? "current stack"}, median of ${runs}): ${(m0 / 1000).toFixed(2)} s without the pack, ${(m1 / 1000).toFixed(2)} s with it`);
  console.log(`  overhead ${overhead.toFixed(1)}% (target < 15%): ${overhead < 15 ? "met" : "NOT MET"}`);
}

function main(): void {
  const objects = generateWorkloads(WORKLOADS);
  console.log(`policy benchmark, node ${process.version}, one thread`);
  measureRules(objects);
  measurePack(objects);
  measureEngine();
}

if (require.main === module) main();
