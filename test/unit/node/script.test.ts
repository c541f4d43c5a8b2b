/**
 * The generated node script, run for real with bash against a temporary root directory, with the
 * stand-in systemctl, k3s, sysctl, journalctl and curl from test/standins on PATH.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { K3S_PATHS } from "../../../components/k3s/facts";
import { renderNodeBundle } from "../../../components/k3s/render";
import { renderApplyScript, renderRestoreScript } from "../../../components/node/script";
import { renderProbeScript } from "../../../components/node/drift";
import { StackConfig } from "../../../components/config/types";
import { config } from "../helpers";
import { newStandinNode as newNode, restartsOn as restarts, runOnNode, StandinNode as Node } from "./standinNode";




const OPTS = { healthTimeoutSeconds: 3, backupsToKeep: 2, journalLines: 5 };

/** Start a script and SIGKILL it (the whole process group) once it has restarted k3s. */
async function killAfterRestart(node: Node, text: string): Promise<void> {
  const child = spawn("bash", ["-s"], { env: node.env, stdio: ["pipe", "pipe", "ignore"], detached: true });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stdin.end(text);
  for (let i = 0; i < 200 && !/restarting k3s/.test(out); i++) await new Promise((res) => setTimeout(res, 50));
  assert.match(out, /restarting k3s/);
  process.kill(-child.pid!, "SIGKILL");
  await new Promise((res) => child.on("exit", res));
}

function script(cfg: StackConfig, nodeIndex = 0): string {
  return renderApplyScript(renderNodeBundle(cfg, cfg.nodes[nodeIndex], (s) => s), OPTS);
}

const run = runOnNode;


function read(node: Node, p: string): string {
  return fs.readFileSync(path.join(node.root, p), "utf8");
}

function backups(node: Node): string[] {
  const d = path.join(node.root, K3S_PATHS.stateDir, "backups");
  return fs.existsSync(d) ? fs.readdirSync(d).sort() : [];
}

describe("node script (real bash, stand-in k3s)", function () {
  this.timeout(60_000);
  const cfg = config();

  it("first run writes every file (root, 0600), applies sysctls and restarts once", () => {
    const node = newNode();
    const r = run(node, script(cfg));
    assert.equal(r.status, 0, r.stderr);
    for (const f of renderNodeBundle(cfg, cfg.nodes[0], (s) => s).files) {
      const st = fs.statSync(path.join(node.root, f.path));
      assert.equal(st.mode & 0o777, 0o600, f.path);
      assert.equal(st.uid, 0);
      assert.equal(read(node, f.path), f.content);
    }
    const logDir = fs.statSync(path.join(node.root, "/var/lib/rancher/k3s/server/logs"));
    assert.equal(logDir.mode & 0o777, 0o700);
    assert.deepEqual(restarts(node), ["k3s"]);
    assert.equal(fs.readFileSync(path.join(node.state, "sysctl", "vm.overcommit_memory"), "utf8").trim(), "1");
    assert.match(r.stdout, /k3s healthy after restart/);
  });

  it("second run with the same content changes nothing and restarts nothing", () => {
    const node = newNode();
    assert.equal(run(node, script(cfg)).status, 0);
    const before = backups(node);
    const r = run(node, script(cfg));
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /no changes/);
    assert.deepEqual(restarts(node), ["k3s"]);
    assert.deepEqual(backups(node), before);
  });

  it("an agent restarts k3s-agent and checks kubelet health", () => {
    const node = newNode();
    const r = run(node, script(cfg, 3));
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(restarts(node), ["k3s-agent"]);
    assert.ok(!fs.existsSync(path.join(node.root, K3S_PATHS.auditPolicyFile)));
  });

  it("a changed value replaces only what changed, keeps the previous version and restarts once more", () => {
    const node = newNode();
    run(node, script(cfg));
    const old = read(node, K3S_PATHS.configFile);
    const cfg2 = config({ audit: { maxAgeDays: 45 } });
    const r = run(node, script(cfg2));
    assert.equal(r.status, 0, r.stderr);
    assert.match(read(node, K3S_PATHS.configFile), /audit-log-maxage=45/);
    assert.deepEqual(r.stdout.match(/updated (\S+)/g), [`updated ${K3S_PATHS.configFile}`]);
    assert.deepEqual(restarts(node), ["k3s", "k3s"]);
    const latest = backups(node).at(-1)!;
    assert.equal(fs.readFileSync(path.join(node.root, K3S_PATHS.stateDir, "backups", latest, K3S_PATHS.configFile), "utf8"), old);
  });

  it("keeps only the configured number of backups, and the pre-hardening original apart", () => {
    const node = newNode();
    fs.mkdirSync(path.join(node.root, "etc/rancher/k3s"), { recursive: true });
    fs.writeFileSync(path.join(node.root, K3S_PATHS.configFile), "write-kubeconfig-mode: \"0644\"\n");
    for (const age of [31, 32, 33, 34]) assert.equal(run(node, script(config({ audit: { maxAgeDays: age } }))).status, 0);
    assert.equal(backups(node).length, OPTS.backupsToKeep);
    assert.equal(read(node, path.join(K3S_PATHS.stateDir, "original", K3S_PATHS.configFile)), "write-kubeconfig-mode: \"0644\"\n");
  });

  it("a failed health check restores the previous files, restarts again and fails with the journal tail", () => {
    const node = newNode();
    run(node, script(cfg));
    const good = read(node, K3S_PATHS.configFile);
    fs.writeFileSync(path.join(node.state, "fail-health-if-config-contains"), "audit-log-maxage=60\n");
    const r = run(node, script(config({ audit: { maxAgeDays: 60 } })));
    assert.equal(r.status, 1);
    assert.equal(read(node, K3S_PATHS.configFile), good, "previous config restored");
    assert.deepEqual(restarts(node), ["k3s", "k3s", "k3s"], "restart, then restart after rollback");
    assert.match(r.stderr, /did not become healthy within 3s/);
    assert.match(r.stderr, /previous configuration was restored and k3s is healthy again/);
    assert.match(r.stderr, /level=fatal/, "journal tail in the error");
  });

  it("says so when k3s stays unhealthy even after the rollback", () => {
    const node = newNode();
    run(node, script(cfg));
    fs.writeFileSync(path.join(node.state, "fail-health"), "");
    const r = run(node, script(config({ audit: { maxAgeDays: 61 } })));
    assert.equal(r.status, 1);
    assert.match(r.stderr, /still unhealthy after restoring/);
  });

  for (const role of ["server", "agent"] as const) {
    it(`${role === "agent" ? "an" : "a"} ${role} health probe that hangs is cut off at the deadline: rolled back, lock released, the next run goes ahead`, () => {
      const node = newNode();
      const index = cfg.nodes.findIndex((n) => n.role === role);
      run(node, script(cfg, index));
      const good = read(node, K3S_PATHS.configFile);
      fs.writeFileSync(path.join(node.state, "hang-health"), "");
      const t0 = Date.now();
      const r = run(node, script(config({ extraArgs: { apiserver: ["tls-min-version=VersionTLS13"], kubelet: ["max-pods=100"] } }), index));
      const seconds = (Date.now() - t0) / 1000;
      assert.equal(r.status, 1, r.stdout + r.stderr);
      // Two waits of 3 s (the new files, then the rollback), each probe killed at the deadline; a probe with no
      // timeout would hang for the stand-in's hour (the spawn's 60 s limit).
      assert.ok(seconds < 20, `took ${seconds.toFixed(1)} s`);
      assert.match(r.stderr, /did not become healthy within 3s/);
      assert.match(r.stderr, /still unhealthy after restoring the previous configuration/);
      assert.equal(read(node, K3S_PATHS.configFile), good, "previous config restored");
      fs.rmSync(path.join(node.state, "hang-health"));
      const next = run(node, script(config({ extraArgs: { apiserver: ["tls-min-version=VersionTLS13"], kubelet: ["max-pods=100"] } }), index));
      assert.equal(next.status, 0, next.stderr);
      assert.match(read(node, K3S_PATHS.configFile), role === "server" ? /tls-min-version=VersionTLS13/ : /max-pods=100/);
    });
  }

  it("a first run that fails health removes the files it created", () => {
    const node = newNode();
    fs.writeFileSync(path.join(node.state, "fail-health"), "");
    const r = run(node, script(cfg));
    assert.equal(r.status, 1);
    assert.ok(!fs.existsSync(path.join(node.root, K3S_PATHS.configFile)));
  });

  it("a rollback puts a directory it tightened back to its mode, and removes one it created", () => {
    const node = newNode();
    const logDir = path.join(node.root, path.dirname(cfg.profile.audit.logPath));
    fs.mkdirSync(logDir, { recursive: true, mode: 0o755 });
    fs.chmodSync(logDir, 0o755);
    fs.writeFileSync(path.join(node.state, "fail-health"), "");
    assert.equal(run(node, script(cfg)).status, 1);
    assert.equal((fs.statSync(logDir).mode & 0o777).toString(8), "755", "the existing directory is back to 0755");
    // Created by the run (absent before): gone after its rollback.
    const fresh = newNode();
    fs.writeFileSync(path.join(fresh.state, "fail-health"), "");
    assert.equal(run(fresh, script(cfg)).status, 1);
    assert.ok(!fs.existsSync(path.join(fresh.root, path.dirname(cfg.profile.audit.logPath))));
    // And a successful run tightens it as before.
    fs.rmSync(path.join(node.state, "fail-health"));
    assert.equal(run(node, script(cfg)).status, 0);
    assert.equal((fs.statSync(logDir).mode & 0o777).toString(8), "700");
  });

  it("a failed first run puts the kernel parameters back with the files", () => {
    const node = newNode();
    const sysctl = (k: string) => fs.readFileSync(path.join(node.state, "sysctl", k), "utf8").trim();
    fs.mkdirSync(path.join(node.state, "sysctl"));
    const before: Record<string, string> = { "vm.panic_on_oom": "0", "vm.overcommit_memory": "0", "kernel.panic": "0", "kernel.panic_on_oops": "0" };
    for (const [k, v] of Object.entries(before)) fs.writeFileSync(path.join(node.state, "sysctl", k), `${v}\n`);
    fs.writeFileSync(path.join(node.state, "fail-health"), "");
    const r = run(node, script(cfg));
    assert.equal(r.status, 1);
    assert.ok(!fs.existsSync(path.join(node.root, K3S_PATHS.sysctlFile)), "the sysctl file it created is gone");
    for (const [k, v] of Object.entries(before)) assert.equal(sysctl(k), v, `${k} is back to ${v}`);
    // A successful run afterwards applies them again.
    fs.rmSync(path.join(node.state, "fail-health"));
    assert.equal(run(node, script(cfg)).status, 0);
    assert.equal(sysctl("vm.overcommit_memory"), "1");
    assert.equal(sysctl("kernel.panic"), "10");
  });

  describe("a full disk (the node root on a small tmpfs in a private mount namespace)", () => {
    /**
     * Runs `scripts` one after the other inside `unshare -m`, with the node root on a tmpfs of `sizeKb`;
     * `between[i]` (bash) runs before script i. Returns each run's status and output, and the node
     * root's files at the end (the tmpfs is gone when the namespace ends).
     */
    function onSmallDisk(node: Node, sizeKb: number, scripts: string[], between: string[]): { runs: Array<{ status: number; out: string }>; files: Record<string, string>; listing: string } {
      const dir = fs.mkdtempSync(path.join(path.dirname(node.root), "disk-"));
      scripts.forEach((t, i) => fs.writeFileSync(path.join(dir, `s${i}.sh`), t));
      const driver = [
        "set -u",
        `mount -t tmpfs -o size=${sizeKb}k tmpfs "$K3S_HARDEN_ROOT"`,
        ...scripts.map((_, i) => `${between[i] ?? ""}\nbash ${dir}/s${i}.sh > ${dir}/out${i} 2>&1; echo $? > ${dir}/rc${i}`),
        `cd "$K3S_HARDEN_ROOT" && find . -type f ! -name fill | sort | while read -r f; do printf '%s\\0' "$f"; base64 -w0 < "$f"; printf '\\n'; done > ${dir}/files`,
        `ls -la "$K3S_HARDEN_ROOT/etc/rancher/k3s" > ${dir}/listing`,
      ].join("\n");
      const r = spawnSync("unshare", ["-m", "bash", "-c", driver], { env: node.env, encoding: "utf8", timeout: 120_000 });
      assert.equal(r.status, 0, r.stderr);
      const runs = scripts.map((_, i) => ({ status: Number(fs.readFileSync(path.join(dir, `rc${i}`), "utf8").trim()), out: fs.readFileSync(path.join(dir, `out${i}`), "utf8") }));
      const files: Record<string, string> = {};
      for (const line of fs.readFileSync(path.join(dir, "files"), "utf8").split("\n").filter(Boolean)) {
        const [name, b64] = line.split("\0");
        files[name.replace(/^\./, "")] = Buffer.from(b64, "base64").toString("utf8");
      }
      return { runs, files, listing: fs.readFileSync(path.join(dir, "listing"), "utf8") };
    }

    it("a disk that fills during the health wait: the rollback renames the previous files back, restarts again and says so", () => {
      const node = newNode();
      const cfg2 = config({ audit: { maxAgeDays: 93 } });
      const r = onSmallDisk(node, 2048, [script(cfg), script(cfg2)], ["", `echo "$K3S_HARDEN_ROOT/fill" > "$K3S_STANDIN_STATE/fill-disk-on-probe"; touch "$K3S_STANDIN_STATE/fail-health"`]);
      assert.equal(r.runs[0].status, 0, r.runs[0].out);
      assert.equal(r.runs[1].status, 1, r.runs[1].out);
      assert.match(r.runs[1].out, /previous configuration was restored and k3s is healthy again|still unhealthy after restoring/);
      assert.doesNotMatch(r.files[K3S_PATHS.configFile], /audit-log-maxage=93/, "the new config.yaml is gone");
      assert.match(r.files[K3S_PATHS.configFile], /audit-log-maxage=30/, "the previous config.yaml is back");
      assert.doesNotMatch(r.listing, /\.k3s-hardening/, "no temporary or previous-version file left beside config.yaml");
      assert.deepEqual(restarts(node), ["k3s", "k3s", "k3s"], "first run, the failed run, and the restart after the rollback");
    });

    it("a disk too full to stage the files stops the run before anything is replaced, saying how much space is needed", () => {
      const node = newNode();
      const r = onSmallDisk(node, 2048, [script(cfg), script(config({ audit: { maxAgeDays: 94 } }))], ["", `dd if=/dev/zero of="$K3S_HARDEN_ROOT/fill" bs=64k >/dev/null 2>&1 || true`]);
      assert.equal(r.runs[0].status, 0, r.runs[0].out);
      assert.equal(r.runs[1].status, 1);
      assert.match(r.runs[1].out, /not enough free space on the filesystem of .*: \d+ KB free, \d+ KB needed .* Nothing was changed; free space, then run pulumi up again/);
      assert.match(r.files[K3S_PATHS.configFile], /audit-log-maxage=30/);
      assert.deepEqual(restarts(node), ["k3s"]);
    });
  });

  it("fails before touching config.yaml when kernel parameters cannot be set", () => {
    const node = newNode();
    fs.writeFileSync(path.join(node.state, "sysctl-readonly"), "");
    const r = run(node, script(cfg));
    assert.equal(r.status, 1);
    assert.match(r.stderr, /could not set kernel parameters/);
    assert.ok(!fs.existsSync(path.join(node.root, K3S_PATHS.configFile)));
    assert.deepEqual(restarts(node), []);
  });

  it("writes files but does not restart when k3s is not installed", () => {
    const node = newNode();
    fs.writeFileSync(path.join(node.state, "units"), "\n");
    const r = run(node, script(cfg));
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /not installed/);
    assert.deepEqual(restarts(node), []);
  });

  it("fixes a file whose mode drifted, without other changes", () => {
    const node = newNode();
    run(node, script(cfg));
    fs.chmodSync(path.join(node.root, K3S_PATHS.auditPolicyFile), 0o644);
    const r = run(node, script(cfg));
    assert.equal(r.status, 0, r.stderr);
    assert.equal(fs.statSync(path.join(node.root, K3S_PATHS.auditPolicyFile)).mode & 0o777, 0o600);
  });

  it("a killed write never leaves a partial file, and the next run cleans up and applies", async () => {
    const node = newNode();
    run(node, script(cfg));
    const good = read(node, K3S_PATHS.configFile);
    // Make the stand-in restart hang, so the kill lands while the run is in flight; the rename is atomic,
    // so at any instant the target is either the old or the new complete file.
    const cfg2 = config({ audit: { maxAgeDays: 90 } });
    const text = script(cfg2).replace("base64 -d > \"$tmp\"", "base64 -d > \"$tmp\"; sleep 0.3");
    const child = spawn("bash", ["-s"], { env: node.env, stdio: ["pipe", "ignore", "ignore"], detached: true });
    child.stdin.end(text);
    await new Promise((res) => setTimeout(res, 450));
    process.kill(-child.pid!, "SIGKILL");
    await new Promise((res) => child.on("exit", res));
    const now = read(node, K3S_PATHS.configFile);
    const expected = renderNodeBundle(cfg2, cfg2.nodes[0], (s) => s).files.find((f) => f.path === K3S_PATHS.configFile)!.content;
    assert.ok(now === good || now === expected, "config.yaml is complete (old or new)");
    const r = run(node, script(cfg2));
    assert.equal(r.status, 0, r.stderr);
    assert.equal(read(node, K3S_PATHS.configFile), expected);
    const leftovers = fs.readdirSync(path.join(node.root, "etc/rancher/k3s")).filter((f) => f.startsWith(".k3s-hardening."));
    assert.deepEqual(leftovers, []);
  });

  it("a run killed after its renames (during the health wait) is finished by the next run: restart and health check", async () => {
    const node = newNode();
    assert.equal(run(node, script(cfg)).status, 0);
    const cfg2 = config({ audit: { maxAgeDays: 91 } });
    // Unhealthy, so the run sits in its health wait after the renames and the restart; then it is killed.
    fs.writeFileSync(path.join(node.state, "fail-health"), "");
    await killAfterRestart(node, script(cfg2));
    assert.match(read(node, K3S_PATHS.configFile), /audit-log-maxage=91/, "the new files are in place, unconfirmed");
    assert.ok(fs.existsSync(path.join(node.root, K3S_PATHS.stateDir, "pending")), "the transaction's journal is left");
    const probe = runOnNode(node, renderProbeScript(renderNodeBundle(cfg2, cfg2.nodes[0], (x) => x)));
    assert.match(probe.stdout, /^interrupted$/m, "the drift probe sees the unfinished transaction");
    fs.rmSync(path.join(node.state, "fail-health"));
    const before = restarts(node).length;
    // The same apply again (as Pulumi retries it): not "no changes", but restart and health check.
    const r = run(node, script(cfg2));
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /an earlier run was interrupted after replacing files/);
    assert.match(r.stdout, /k3s healthy after restart/);
    assert.equal(restarts(node).length - before, 1);
    assert.ok(!fs.existsSync(path.join(node.root, K3S_PATHS.stateDir, "pending")));
    assert.match(run(node, script(cfg2)).stdout, /no changes/);
  });

  it("an interrupted run that stays unhealthy is rolled back as a whole by the next run: every file of the set", async () => {
    const node = newNode();
    assert.equal(run(node, script(cfg)).status, 0);
    const files = [K3S_PATHS.configFile, cfg.profile.admission.configPath, cfg.profile.audit.policyPath];
    const good = files.map((f) => read(node, f));
    // A change that touches config.yaml, the admission (Pod Security) file and the audit policy.
    const cfg2 = config({ audit: { maxAgeDays: 92, omitStages: [] }, admission: { podSecurity: { enforce: "baseline" } } });
    fs.writeFileSync(path.join(node.state, "fail-health-if-config-contains"), "audit-log-maxage=92\n");
    await killAfterRestart(node, script(cfg2));
    assert.deepEqual(files.map((f) => read(node, f) === good[files.indexOf(f)]), [false, false, false], "the killed run replaced all three");
    // The next run is for yet another configuration that keeps cfg2's admission file: the interrupted set
    // is put back as a whole first, so the rollback of this run restores every file, not only config.yaml.
    const cfg3 = config({ audit: { maxAgeDays: 92, omitStages: [] }, admission: { podSecurity: { enforce: "baseline" } }, requestTimeout: "90s" });
    const r = run(node, script(cfg3));
    assert.equal(r.status, 1);
    assert.match(r.stderr, /previous configuration was restored and k3s is healthy again/);
    assert.deepEqual(files.map((f) => read(node, f)), good, "config.yaml, psa.yaml and audit.yaml are the last healthy ones");
    assert.ok(!fs.existsSync(path.join(node.root, K3S_PATHS.stateDir, "pending")));
  });

  it("restore on destroy puts back the pre-hardening files and removes the ones that were absent", () => {
    const node = newNode();
    fs.mkdirSync(path.join(node.root, "etc/rancher/k3s"), { recursive: true });
    fs.writeFileSync(path.join(node.root, K3S_PATHS.configFile), "node-ip: 10.0.0.5\n");
    run(node, script(cfg));
    const bundle = renderNodeBundle(cfg, cfg.nodes[0]);
    const r = run(node, renderRestoreScript(bundle, OPTS));
    assert.equal(r.status, 0, r.stderr);
    assert.equal(read(node, K3S_PATHS.configFile), "node-ip: 10.0.0.5\n");
    assert.ok(!fs.existsSync(path.join(node.root, K3S_PATHS.auditPolicyFile)));
    assert.deepEqual(restarts(node), ["k3s", "k3s"]);
    assert.ok(!fs.existsSync(path.join(node.root, K3S_PATHS.stateDir, "sync")), "the record of the hardening is gone");
  });

  it("a restore never undoes an apply made over another connection (a replaced command's delete)", () => {
    const node = newNode();
    fs.mkdirSync(path.join(node.root, "etc/rancher/k3s"), { recursive: true });
    fs.writeFileSync(path.join(node.root, K3S_PATHS.configFile), "node-ip: 10.0.0.5\n");
    const bundle = renderNodeBundle(cfg, cfg.nodes[0], (s) => s);
    assert.equal(run(node, renderApplyScript(bundle, { ...OPTS, connectionId: "new-connection" })).status, 0);
    const hardened = read(node, K3S_PATHS.configFile);
    const old = run(node, renderRestoreScript(bundle, { ...OPTS, connectionId: "old-connection" }));
    assert.equal(old.status, 0, old.stderr);
    assert.match(old.stdout, /a newer apply owns it; not restoring/);
    assert.equal(read(node, K3S_PATHS.configFile), hardened);
    assert.deepEqual(restarts(node), ["k3s"]);
    // The current command's restore does run.
    const current = run(node, renderRestoreScript(bundle, { ...OPTS, connectionId: "new-connection" }));
    assert.equal(current.status, 0, current.stderr);
    assert.equal(read(node, K3S_PATHS.configFile), "node-ip: 10.0.0.5\n");
  });

  it("records the sync marker, the apply count and the connection after a successful run", () => {
    const node = newNode();
    const bundle = renderNodeBundle(cfg, cfg.nodes[0], (s) => s);
    assert.equal(run(node, renderApplyScript(bundle, { ...OPTS, connectionId: "c1" }), ["7"]).status, 0);
    const sync = read(node, path.join(K3S_PATHS.stateDir, "sync"));
    assert.equal(sync, "marker=7\nattempts=1\nconnection=c1\n");
    assert.equal(run(node, renderApplyScript(bundle, { ...OPTS, connectionId: "c1" }), ["7"]).status, 0);
    assert.match(read(node, path.join(K3S_PATHS.stateDir, "sync")), /^marker=7\nattempts=2\n/);
    const manifest = read(node, path.join(K3S_PATHS.stateDir, "manifest"));
    assert.match(manifest, new RegExp(`^file [0-9a-f]{64} 600 0 0 ${K3S_PATHS.configFile}$`, "m"));
    assert.match(manifest, /^sysctl vm.overcommit_memory 1$/m);
    assert.equal(run(node, renderApplyScript(bundle, OPTS), ["1;x"]).status, 1, "a marker that is not digits is refused");
  });

  it("a failed run counts as an attempt but keeps the previous marker", () => {
    const node = newNode();
    assert.equal(run(node, script(cfg), ["1"]).status, 0);
    fs.writeFileSync(path.join(node.state, "fail-health-if-config-contains"), "audit-log-maxage=61\n");
    assert.equal(run(node, script(config({ audit: { maxAgeDays: 61 } })), ["2"]).status, 1);
    assert.match(read(node, path.join(K3S_PATHS.stateDir, "sync")), /^marker=1\nattempts=2\n/);
  });

  it("a mode or owner fix, or a changed sysctl file, puts the file back without restarting k3s", () => {
    const node = newNode();
    assert.equal(run(node, script(cfg)).status, 0);
    fs.chmodSync(path.join(node.root, K3S_PATHS.configFile), 0o644);
    fs.writeFileSync(path.join(node.root, K3S_PATHS.sysctlFile), "vm.overcommit_memory = 0\n");
    const r = run(node, script(cfg));
    assert.equal(r.status, 0, r.stderr);
    assert.equal(fs.statSync(path.join(node.root, K3S_PATHS.configFile)).mode & 0o777, 0o600);
    assert.match(read(node, K3S_PATHS.sysctlFile), /vm.overcommit_memory = 1/);
    assert.match(r.stdout, /no file k3s reads changed its content: no restart/);
    assert.deepEqual(restarts(node), ["k3s"]);
  });

  it("the apply and restore scripts are valid bash", () => {
    for (const text of [script(config({ k3sToken: "K10-secret" })), renderRestoreScript(renderNodeBundle(cfg, cfg.nodes[0]), OPTS)]) {
      const r = spawnSync("bash", ["-n"], { input: text, encoding: "utf8" });
      assert.equal(r.status, 0, r.stderr);
    }
  });
});
