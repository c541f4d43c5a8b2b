// The scan Jobs' script, run for real with kube-bench v0.15.6 for every profile, on a server and an
// agent: kube-bench's own cfg/ stands for the image's (its config.yaml lacks the k3s-cis-1.10-1.12
// mappings), the ConfigMap's files are laid out as the pod mounts them, and the script's fixed paths are
// moved into a temporary folder. kube-bench checks that the components' binary (`containerd` for k3s)
// runs, so a process named containerd runs in a private PID namespace while it scans; the node's own
// checks then read this host, so their verdicts mean nothing here: what is checked is that kube-bench
// accepts the prepared config, loads the shipped files, runs the role's targets and reports exactly the
// catalog's checks under the files' label.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { SUPPORTED_BENCHMARKS, getBenchmark } from "../../../components/cis";
import { KUBE_BENCH_TARGETS } from "../../../components/kubebench/facts";
import { renderCheckFilesConfigMap, renderScanScript } from "../../../components/kubebench/render";
import { kubeBenchBin } from "../../kubeBench";
import { build } from "./fixtures";

interface Report {
  Controls: Array<{ version: string; node_type: string; tests: Array<{ results: Array<{ test_number: string }> }> }>;
}

describe("scan script with the real kube-bench v0.15.6", function () {
  this.timeout(600_000);
  let kb: { bin: string; cfg: string };
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "scan-script-"));
  before(() => {
    kb = kubeBenchBin();
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  function scan(benchmark: string, nodeIndex: number): { status: number; report?: Report; stderr: string } {
    const { cfg, caps: built } = build(undefined, { benchmark });
    const caps = { ...built, kubeBench: { ...built.kubeBench, configDir: kb.cfg } };
    const dir = fs.mkdtempSync(path.join(tmp, `${benchmark}-`));
    const checks = path.join(dir, "checks");
    fs.mkdirSync(checks);
    for (const [name, text] of Object.entries(renderCheckFilesConfigMap(caps).data ?? {})) fs.writeFileSync(path.join(checks, name), text);
    const script = renderScanScript(cfg, caps, cfg.nodes[nodeIndex])
      .replaceAll("/etc/kube-bench-checks", checks)
      .replaceAll("/tmp/kube-bench-cfg", path.join(dir, "cfg"))
      .replaceAll("/tmp/target-mapping.yaml", path.join(dir, "target-mapping.yaml"))
      .replaceAll("/reports", path.join(dir, "reports"));
    fs.writeFileSync(path.join(dir, "scan.sh"), script);
    fs.copyFileSync("/bin/sleep", path.join(dir, "containerd"));
    const driver = `"${dir}/containerd" 600 & sleep 0.2; PATH="${path.dirname(kb.bin)}:$PATH" HOSTNAME=scan-pod-0 bash "${dir}/scan.sh" > "${dir}/out" 2> "${dir}/err"; rc=$?; kill %1; exit $rc`;
    const r = spawnSync("unshare", ["--pid", "--mount", "--fork", "--mount-proc", "bash", "-c", driver], { encoding: "utf8", timeout: 300_000 });
    const stderr = fs.readFileSync(path.join(dir, "err"), "utf8") + r.stderr;
    if (r.status !== 0) return { status: r.status ?? -1, stderr };
    const written = fs.readdirSync(path.join(dir, "reports"));
    assert.equal(written.length, 1);
    assert.match(written[0], /^\d{8}T\d{6}Z-scan-pod-0\.json$/, "the report is named <timestamp>-<pod>.json");
    return { status: 0, report: JSON.parse(fs.readFileSync(path.join(dir, "reports", written[0]), "utf8")) as Report, stderr };
  }

  for (const id of SUPPORTED_BENCHMARKS) {
    it(`${id}: kube-bench runs the shipped files on a server and an agent, and reports exactly the catalog's checks`, () => {
      const bench = getBenchmark(id);
      for (const [role, index] of [["server", 0], ["agent", 3]] as const) {
        const r = scan(id, index);
        assert.equal(r.status, 0, `${role}: ${r.stderr}`);
        const controls = r.report!.Controls;
        assert.deepEqual([...new Set(controls.map((c) => c.version))], [bench.source.versionLabel], `${role}: label`);
        assert.deepEqual(controls.map((c) => c.node_type).sort(), [...KUBE_BENCH_TARGETS[role]].sort(), `${role}: targets`);
        const reported = controls.flatMap((c) => c.tests.flatMap((t) => t.results.map((x) => x.test_number))).sort();
        const expected = bench.controls.filter((c) => KUBE_BENCH_TARGETS[role].includes(c.target)).map((c) => c.id).sort();
        assert.deepEqual(reported, expected, `${role}: the catalog's checks`);
      }
    });
  }

  it("fails when the mounted check files are missing: never a scan of the image's own copy or of nothing", () => {
    const { cfg, caps: built } = build();
    const caps = { ...built, kubeBench: { ...built.kubeBench, configDir: kb.cfg } };
    const dir = fs.mkdtempSync(path.join(tmp, "empty-"));
    fs.mkdirSync(path.join(dir, "checks"));
    const script = renderScanScript(cfg, caps, cfg.nodes[0]).replaceAll("/etc/kube-bench-checks", path.join(dir, "checks")).replaceAll("/tmp/kube-bench-cfg", path.join(dir, "cfg")).replaceAll("/reports", path.join(dir, "reports"));
    const r = spawnSync("bash", ["-c", script], { encoding: "utf8" });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /cannot stat .*checks\/\*\.yaml/);
  });
});
