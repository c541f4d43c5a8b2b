/**
 * The pack entry point loads as the engine runs it (node + ts-node in policy/): it builds the policies,
 * constructs the PolicyPack, which starts the analyzer gRPC server and prints its port on stdout, and
 * keeps serving until the engine stops it. (A bad benchmark selection throws before that: config.test.ts.)
 */
import * as assert from "assert";
import { ChildProcess, spawn } from "child_process";
import { POLICY_DIR, policyDepsInstalled } from "./helpers";

function loadPack(env: NodeJS.ProcessEnv): Promise<{ port?: number; code?: number | null; stderr: string; child: ChildProcess }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["-e", 'require("ts-node/register/transpile-only"); require("./index.ts")'], {
      cwd: POLICY_DIR,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d) => {
      stdout += d;
      const m = /^(\d+)\s*$/m.exec(stdout);
      if (m) resolve({ port: Number(m[1]), stderr, child });
    });
    child.stderr!.on("data", (d) => (stderr += d));
    child.on("exit", (code) => resolve({ code, stderr, child }));
  });
}

// Started when mocha loads this file, so the slow start-up (ts-node, gRPC) overlaps the in-process tests.
const loading = policyDepsInstalled()
  ? loadPack({ K3S_CIS_BENCHMARK: "k3s-cis-1.9" }).then((r) => {
      if (r.child.exitCode === null) r.child.kill();
      return r;
    })
  : undefined;

describe("policy pack entry point", function () {
  this.timeout(30000);
  before(function () {
    if (!loading) this.skip(); // needs `npm ci` in policy/
  });

  it("constructs the PolicyPack and serves on a port", async () => {
    const r = await loading!;
    assert.ok(r.port && r.port > 0, `no port printed; exit ${r.code}; stderr: ${r.stderr}`);
  });
});
