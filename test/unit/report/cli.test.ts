import { strict as assert } from "assert";
import { execFile } from "child_process";
import { promises as fs, readFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { criticalControls } from "../../../components/cis";
import { CliIo, EXIT_BAD_INPUT, EXIT_GATE_FAILED, EXIT_PASS, main } from "../../../report/cli";
import { minioObjectStore } from "../../../report/s3";
import { JsonReport } from "../../../report/score";
import { AGENT_TARGETS, buildKubeBenchReport, toKubeBenchJson } from "../../fixtures/kube-bench/build";
import { startFakeS3 } from "./fake-s3";
import { DEMO_NOW, bench, fixture } from "./helpers";

const ROOT = path.resolve(__dirname, "../../..");
const NOW = DEMO_NOW.toISOString();

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(argv: string[], over: Partial<CliIo> = {}): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    env: {},
    now: () => DEMO_NOW,
    objectStore: () => {
      throw new Error("no bucket in this test");
    },
    ...over,
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

/** The statuses of the newest report of each node in the demo cluster, counted straight from the files. */
function demoCounts(): Record<string, { pass: number; fail: number; warn: number; info: number }> {
  const out: Record<string, { pass: number; fail: number; warn: number; info: number }> = {};
  for (const node of ["agent-1", "agent-2", "server-1"]) {
    const doc: unknown = JSON.parse(readFileSync(fixture("cluster", node, "20261122T020000Z.json"), "utf8"));
    const controls = (Array.isArray(doc) ? doc : (doc as { Controls: unknown[] }).Controls) as {
      tests: { results: { status: string }[] }[];
    }[];
    const statuses = controls.flatMap((c) => c.tests.flatMap((g) => g.results.map((r) => r.status)));
    out[node] = {
      pass: statuses.filter((s) => s === "PASS").length,
      fail: statuses.filter((s) => s === "FAIL").length,
      warn: statuses.filter((s) => s === "WARN").length,
      info: statuses.filter((s) => s === "INFO").length,
    };
  }
  return out;
}

function assertOneLineError(r: Run, pattern: RegExp): void {
  assert.equal(r.code, EXIT_BAD_INPUT);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, pattern);
  assert.equal(r.stderr.split("\n").length, 2, "one line");
  assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
}

describe("report/cli", () => {
  let tmp: string;
  before(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), "report-cli-"));
  });
  after(async () => {
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it("prints the table and passes the gate on the fresh demo cluster", async () => {
    const r = await run([fixture("cluster"), "--now", NOW]);
    assert.equal(r.code, EXIT_PASS, r.stderr);
    assert.match(r.stdout, /^kube-bench compliance report: k3s-cis-1\.7, 3 nodes/);
    assert.match(r.stdout, /Gate: PASSED\n$/);
    assert.equal(r.stderr, "");
  });

  it("--json prints exactly one JSON document whose counts match the files", async () => {
    const r = await run(["--json", "--now", NOW, fixture("cluster")]);
    assert.equal(r.code, EXIT_PASS, r.stderr);
    const doc = JSON.parse(r.stdout) as JsonReport;
    assert.equal(doc.benchmark, "k3s-cis-1.7");
    const counts = demoCounts();
    assert.deepEqual(
      Object.fromEntries(doc.nodes.map((n) => [n.node, { pass: n.pass, fail: n.fail, warn: n.warn, info: n.info }])),
      counts,
    );
    const sum = (k: "pass" | "fail" | "warn" | "info"): number => Object.values(counts).reduce((t, c) => t + c[k], 0);
    assert.equal(doc.cluster.pass, sum("pass"));
    assert.equal(doc.cluster.fail, sum("fail"));
    const total = sum("pass") + sum("fail") + sum("warn") + sum("info");
    assert.equal(doc.cluster.rawPassPercent, Math.round((sum("pass") * 1000) / total) / 10);
    assert.ok(doc.nodes.every((n) => n.reportTime === "2026-11-22T02:00:00Z" && n.benchmark === "k3s-cis-1.7"));
    assert.deepEqual(doc.gate, { passed: true, reasons: [] });
  });

  it("--html writes the dashboard (creating its folder) next to the table", async () => {
    const file = path.join(tmp, "out", "dashboard.html");
    const r = await run([fixture("cluster"), "--now", NOW, "--html", file]);
    assert.equal(r.code, EXIT_PASS, r.stderr);
    const html = await fs.readFile(file, "utf8");
    assert.match(html, /<table id="checklist-table">/);
    assert.match(html, /<svg id="trend-chart"/);
    assert.match(r.stdout, /Gate: PASSED/);
  });

  describe("exit 1 when the gate fails", () => {
    it("on the FAIL count", async () => {
      const r = await run([fixture("cluster"), "--now", NOW, "--max-fail", "2", "--json"]);
      assert.equal(r.code, EXIT_GATE_FAILED);
      const doc = JSON.parse(r.stdout) as JsonReport;
      assert.deepEqual(doc.gate, { passed: false, reasons: ["cluster FAIL count 2 reaches the limit of 2 (--max-fail)"] });
    });

    it("on stale reports, unless --max-age-days 0", async () => {
      const late = await run([fixture("cluster"), "--now", "2026-12-01T03:00:00Z"]);
      assert.equal(late.code, EXIT_GATE_FAILED);
      assert.match(late.stdout, /  - newest report of agent-1 is from 2026-11-22T02:00:00Z, 9\.0 days old/);
      const off = await run([fixture("cluster"), "--now", "2026-12-01T03:00:00Z", "--max-age-days", "0"]);
      assert.equal(off.code, EXIT_PASS);
      const wider = await run([fixture("cluster"), "--now", "2026-12-01T03:00:00Z", "--max-age-days", "10"]);
      assert.equal(wider.code, EXIT_PASS);
    });

    it("on a critical control failing on one node", async () => {
      const b = bench("k3s-cis-1.7");
      const critical = criticalControls(b).find((c) => c.target === "node" && c.kind === "automated" && c.scored);
      assert.ok(critical);
      const dir = path.join(tmp, "critical");
      await fs.cp(fixture("cluster"), dir, { recursive: true });
      await fs.writeFile(
        path.join(dir, "agent-1", "20261122T030000Z.json"),
        toKubeBenchJson(buildKubeBenchReport(b, { targets: AGENT_TARGETS, failing: new Set([critical.id]) })),
      );
      const r = await run([dir, "--now", NOW, "--json"]);
      assert.equal(r.code, EXIT_GATE_FAILED);
      const doc = JSON.parse(r.stdout) as JsonReport;
      assert.deepEqual(doc.nodes.find((n) => n.node === "agent-1")?.criticalFailed, [critical.id]);
      assert.deepEqual(doc.gate.reasons, [`critical control ${critical.id} (${critical.title}) FAILs on agent-1`]);
    });
  });

  describe("exit 2 on bad input, one line naming the file", () => {
    it("no input", async () => {
      assertOneLineError(await run([]), /^report: no input: give kube-bench JSON files or directories, or --bucket <name>/);
    });

    it("malformed JSON", async () => {
      const file = fixture("bad", "malformed.json");
      assertOneLineError(await run([file]), new RegExp(`^report: ${file.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: malformed JSON: `));
    });

    it("JSON that is not kube-bench output", async () => {
      const file = fixture("bad", "not-kube-bench.json");
      assertOneLineError(await run([fixture("cluster"), file]), /^report: .*not-kube-bench\.json: not kube-bench JSON output/);
    });

    it("reports of different benchmark versions", async () => {
      assertOneLineError(await run([fixture("mixed")]), /^report: .*server-1\.json: benchmark k3s-cis-1\.7 differs from k3s-cis-1\.8 of /);
    });

    it("a missing file", async () => {
      assertOneLineError(await run(["does-not-exist.json"]), /^report: does-not-exist\.json: no such file or directory\n$/);
    });

    it("bad options", async () => {
      assertOneLineError(await run(["--max-fail", "0", "x"]), /^report: --max-fail: "0" is not a whole number of at least 1\n$/);
      assertOneLineError(await run(["--max-age-days", "1w", "x"]), /^report: --max-age-days: "1w" is not a number of days/);
      assertOneLineError(await run(["--now", "yesterday", "x"]), /^report: --now: "yesterday" is not a time/);
      assertOneLineError(await run(["--frobnicate"]), /^report: Unknown option '--frobnicate'.*\(see --help\)\n$/);
      assertOneLineError(await run(["--cluster", "prod", "x"]), /^report: --cluster: only applies with --bucket\n$/);
      assertOneLineError(await run(["--bucket", "evidence"]), /^report: --bucket: set the S3 endpoint in MINIO_URL/);
    });

    it("an unexpected error, still without a stack trace", async () => {
      const r = await run(["--bucket", "evidence"], {
        env: { MINIO_URL: "http://127.0.0.1:9" },
        objectStore: () => {
          throw new TypeError("boom");
        },
      });
      assertOneLineError(r, /^report: internal error: boom\n$/);
    });
  });

  it("--help prints the usage and exits 0", async () => {
    const r = await run(["--help"]);
    assert.equal(r.code, EXIT_PASS);
    assert.match(r.stdout, /^Usage: npm run report -- /);
  });

  it("--benchmark keeps one benchmark's reports and says which were skipped", async () => {
    // These two are timed by their files' modification time (no timestamp name): judged at the real time.
    const r = await run([fixture("mixed"), "--benchmark", "k3s-cis-1.8", "--max-age-days", "0", "--json"], { now: () => new Date() });
    assert.notEqual(r.code, EXIT_BAD_INPUT, r.stderr);
    assert.deepEqual((JSON.parse(r.stdout) as JsonReport).nodes.map((n) => n.node), ["agent-1"]);
    assert.match(r.stderr, /^report: .*server-1\.json: skipped, benchmark k3s-cis-1\.7 is not k3s-cis-1\.8\n$/);
  });

  it("reads the evidence bucket through the MinIO client", async () => {
    const objects: Record<string, string> = {};
    for (const node of ["agent-1", "agent-2", "server-1"]) {
      for (const name of await fs.readdir(fixture("cluster", node))) {
        objects[`kube-bench/demo/${node}/${name}`] = await fs.readFile(fixture("cluster", node, name), "utf8");
      }
    }
    const s3 = await startFakeS3("evidence", objects, new Date("2026-11-22T02:00:09Z"));
    try {
      const env = { MINIO_URL: s3.url, MINIO_ACCESS_KEY: "ak", MINIO_SECRET_KEY: "sk" };
      const html = path.join(tmp, "bucket.html");
      const r = await run(["--bucket", "evidence", "--cluster", "demo", "--json", "--now", NOW, "--html", html], {
        env,
        objectStore: minioObjectStore,
      });
      assert.equal(r.code, EXIT_PASS, r.stderr);
      const local = JSON.parse((await run([fixture("cluster"), "--json", "--now", NOW])).stdout) as JsonReport;
      assert.deepEqual(JSON.parse(r.stdout), local);
      assert.ok((await fs.readFile(html, "utf8")).includes('href="s3://evidence/kube-bench/demo/server-1/20261122T020000Z.json"'));
    } finally {
      await s3.close();
    }
  });

  describe("as a process (npm run report runs ts-node --transpile-only report/cli.ts)", () => {
    const tsNode = path.join(ROOT, "node_modules", ".bin", "ts-node");
    const spawn = (args: string[]): Promise<Run> =>
      new Promise((resolve) => {
        execFile(tsNode, ["--transpile-only", "report/cli.ts", ...args], { cwd: ROOT, timeout: 30_000 }, (err, stdout, stderr) => {
          const code = err === null ? 0 : typeof err.code === "number" ? err.code : -1;
          resolve({ code, stdout, stderr });
        });
      });

    // Two processes only (each compiles the catalog, a few seconds); exit 0 differs from 1 only in the verdict.
    it("exits 1 with the gate's verdict on stdout, and 2 with one line on stderr", async () => {
      const demo = path.relative(ROOT, fixture("cluster"));
      const [fail, bad] = await Promise.all([
        spawn([demo, "--json", "--max-fail", "1", "--now", NOW]),
        spawn([path.relative(ROOT, fixture("bad", "malformed.json"))]),
      ]);
      assert.equal(fail.code, EXIT_GATE_FAILED, fail.stderr);
      assert.equal((JSON.parse(fail.stdout) as JsonReport).gate.passed, false);
      assertOneLineError(bad, /^report: test\/fixtures\/kube-bench\/bad\/malformed\.json: malformed JSON: /);
    });
  });
});
