import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import { closeSync, mkdtempSync, openSync, promises as fs, readFileSync, rmSync, truncateSync } from "fs";
import * as os from "os";
import * as path from "path";
import { ReportInputError } from "../../../report/errors";
import {
  ObjectStore,
  StoredObject,
  loadBucketReports,
  loadLocalReports,
  MAX_REPORT_BYTES,
  nameReport,
  parseReportTime,
  selectBenchmark,
} from "../../../report/load";
import { fixture } from "./helpers";

async function rejection(promise: Promise<unknown>): Promise<ReportInputError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof ReportInputError, `expected ReportInputError, got ${String(err)}`);
    return err;
  }
  assert.fail("expected a ReportInputError");
}

function writtenAt(key: string): Date {
  const t = parseReportTime(path.basename(key, ".json"));
  return new Date((t ?? new Date("2026-11-01T00:00:00Z")).getTime() + 60_000);
}

function syncRejection(fn: () => unknown): ReportInputError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ReportInputError, `expected ReportInputError, got ${String(err)}`);
    return err;
  }
  assert.fail("expected a ReportInputError");
}

/**
 * An in-memory bucket: key -> body. Objects are written a minute after the time their name says (the
 * upload follows the scan), or at `modified` when given.
 */
function memoryStore(objects: Record<string, string>, modified?: Date): ObjectStore & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    async list(bucket: string, prefix: string): Promise<StoredObject[]> {
      assert.equal(bucket, "evidence");
      return Object.keys(objects)
        .filter((k) => k.startsWith(prefix))
        .map((key) => ({ key, lastModified: modified ?? writtenAt(key) }));
    },
    async read(_bucket: string, key: string): Promise<string> {
      reads.push(key);
      const body = objects[key];
      if (body === undefined) throw new Error("The specified key does not exist.");
      return body;
    },
  };
}

const totalsText = readFileSync(fixture("shapes", "totals.json"), "utf8");
const nototalsText = readFileSync(fixture("shapes", "nototals.json"), "utf8");

describe("report/load", () => {
  describe("parseReportTime", () => {
    it("reads the CronJob's compact UTC timestamp, ISO times and dates", () => {
      assert.equal(parseReportTime("20261122T020000Z")?.toISOString(), "2026-11-22T02:00:00.000Z");
      assert.equal(parseReportTime("2026-11-22T02:00:00Z")?.toISOString(), "2026-11-22T02:00:00.000Z");
      assert.equal(parseReportTime("2026-11-22T02-00-00Z")?.toISOString(), "2026-11-22T02:00:00.000Z");
      assert.equal(parseReportTime("20261122")?.toISOString(), "2026-11-22T00:00:00.000Z");
      assert.equal(parseReportTime("kube-bench-20261122")?.toISOString(), "2026-11-22T00:00:00.000Z");
    });

    it("refuses names that are not timestamps or impossible dates", () => {
      for (const name of ["server-1", "20261122T020000", "20260231T000000Z", "20261122T250000Z", "2026112", "report-20261122"]) {
        assert.equal(parseReportTime(name), undefined, name);
      }
    });
  });

  describe("nameReport", () => {
    it("takes the node from the folder of <node>/<timestamp>.json", () => {
      const r = nameReport(["kube-bench", "prod", "server-1", "20261122T020000Z.json"]);
      assert.equal(r.node, "server-1");
      assert.equal(r.time?.toISOString(), "2026-11-22T02:00:00.000Z");
    });

    it("names any other file after itself, without .json", () => {
      assert.deepEqual(nameReport(["reports", "server-1.json"]), { node: "server-1", time: undefined });
      assert.deepEqual(nameReport(["agent-7.JSON"]), { node: "agent-7", time: undefined });
      assert.deepEqual(nameReport(["20261122T020000Z.json"]), { node: "20261122T020000Z", time: undefined });
    });
  });

  describe("loadLocalReports", () => {
    it("walks a directory in the bucket layout", async () => {
      const reports = await loadLocalReports([fixture("cluster")]);
      assert.equal(reports.length, 14);
      assert.deepEqual([...new Set(reports.map((r) => r.node))].sort(), ["agent-1", "agent-2", "server-1"]);
      assert.ok(reports.every((r) => r.timeFromName));
      const newest = reports.filter((r) => r.node === "agent-2").sort((a, b) => b.time.getTime() - a.time.getTime())[0];
      assert.equal(newest.time.toISOString(), "2026-11-22T02:00:00.000Z");
      assert.equal(newest.shape, "nototals");
      assert.equal(newest.location, path.join(fixture("cluster"), "agent-2", "20261122T020000Z.json"));
    });

    it("names a loose file after itself and times it by its modification time", async () => {
      const dir = await fs.mkdtemp(path.join(os.tmpdir(), "report-load-"));
      try {
        const file = path.join(dir, "server-1.json");
        await fs.writeFile(file, totalsText);
        const mtime = new Date("2026-11-20T10:00:00Z");
        await fs.utimes(file, mtime, mtime);
        const [r] = await loadLocalReports([file]);
        assert.equal(r.node, "server-1");
        assert.equal(r.timeFromName, false);
        assert.equal(r.time.toISOString(), mtime.toISOString());
        assert.equal(r.location, file);
      } finally {
        await fs.rm(dir, { recursive: true, force: true });
      }
    });

    it("skips hidden entries and files that are not .json, and reads each file once", async () => {
      const dir = await fs.mkdtemp(path.join(os.tmpdir(), "report-load-"));
      try {
        await fs.mkdir(path.join(dir, "agent-1"));
        await fs.mkdir(path.join(dir, ".cache"));
        await fs.writeFile(path.join(dir, "agent-1", "20261122T020000Z.json"), nototalsText);
        await fs.writeFile(path.join(dir, ".cache", "20261122T020000Z.json"), "not json");
        await fs.writeFile(path.join(dir, "README.md"), "# notes");
        const reports = await loadLocalReports([dir, path.join(dir, "agent-1", "20261122T020000Z.json")]);
        assert.deepEqual(reports.map((r) => r.node), ["agent-1"]);
      } finally {
        await fs.rm(dir, { recursive: true, force: true });
      }
    });

    it("refuses a FIFO or device named as input, and a file too large to be a report, without reading them", async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), "report-hostile-"));
      try {
        const fifo = path.join(dir, "pipe.json");
        execFileSync("mkfifo", [fifo]);
        assert.equal((await rejection(loadLocalReports([fifo]))).describe(), `${fifo}: not a regular file or directory (a FIFO, device or socket is never read)`);
        assert.match((await rejection(loadLocalReports(["/dev/zero"]))).describe(), /not a regular file/);
        const big = path.join(dir, "big.json");
        closeSync(openSync(big, "w"));
        truncateSync(big, MAX_REPORT_BYTES + 1);
        assert.match((await rejection(loadLocalReports([big]))).describe(), /bytes is more than a kube-bench report/);
        // In a folder, only regular *.json files are read: the FIFO is skipped, the folder has no report.
        rmSync(big);
        assert.match((await rejection(loadLocalReports([dir]))).describe(), /no kube-bench JSON files/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("names a missing input, an empty directory and a bad file", async () => {
      const missing = await rejection(loadLocalReports(["/nonexistent/reports"]));
      assert.equal(missing.describe(), "/nonexistent/reports: no such file or directory");
      const dir = await fs.mkdtemp(path.join(os.tmpdir(), "report-load-"));
      try {
        const empty = await rejection(loadLocalReports([dir]));
        assert.equal(empty.describe(), `${dir}: no kube-bench JSON files (*.json) in this directory`);
        const bad = await rejection(loadLocalReports([fixture("bad", "not-kube-bench.json")]));
        assert.equal(bad.file, fixture("bad", "not-kube-bench.json"));
      } finally {
        await fs.rm(dir, { recursive: true, force: true });
      }
    });
  });

  describe("loadBucketReports", () => {
    const objects = {
      "kube-bench/prod/server-1/20261115T020000Z.json": totalsText,
      "kube-bench/prod/server-1/20261122T020000Z.json": totalsText,
      "kube-bench/prod/agent-1/20261122T020000Z.json": nototalsText,
      "kube-bench/prod/agent-1/notes.txt": "ignored",
    };

    it("reads <prefix><cluster>/<node>/<timestamp>.json and names evidence by s3 URI", async () => {
      const store = memoryStore(objects);
      const reports = await loadBucketReports(store, { bucket: "evidence", prefix: "kube-bench/" });
      assert.deepEqual(
        reports.map((r) => [r.node, r.time.toISOString(), r.location]),
        [
          ["agent-1", "2026-11-22T02:00:00.000Z", "s3://evidence/kube-bench/prod/agent-1/20261122T020000Z.json"],
          ["server-1", "2026-11-15T02:00:00.000Z", "s3://evidence/kube-bench/prod/server-1/20261115T020000Z.json"],
          ["server-1", "2026-11-22T02:00:00.000Z", "s3://evidence/kube-bench/prod/server-1/20261122T020000Z.json"],
        ],
      );
      assert.ok(!store.reads.includes("kube-bench/prod/agent-1/notes.txt"));
    });

    it("lists only the chosen cluster, with or without slashes around names", async () => {
      const store = memoryStore({ ...objects, "kube-bench/staging/server-9/20261122T020000Z.json": totalsText });
      const reports = await loadBucketReports(store, { bucket: "evidence", prefix: "kube-bench", cluster: "/staging/" });
      assert.deepEqual(reports.map((r) => r.node), ["server-9"]);
    });

    it("refuses to mix clusters when none is chosen", async () => {
      const store = memoryStore({ ...objects, "kube-bench/staging/server-9/20261122T020000Z.json": totalsText });
      const err = await rejection(loadBucketReports(store, { bucket: "evidence", prefix: "kube-bench/" }));
      assert.equal(err.describe(), "s3://evidence/kube-bench/: reports of 2 clusters (prod, staging): choose one with --cluster");
    });

    it("reads the guide's flat kube-bench-<date>.json names as one node", async () => {
      const store = memoryStore({ "kube-bench/kube-bench-20261115.json": totalsText, "kube-bench/kube-bench-20261122.json": totalsText });
      const reports = await loadBucketReports(store, { bucket: "evidence", prefix: "kube-bench/" });
      assert.deepEqual(reports.map((r) => [r.node, r.time.toISOString()]), [
        ["kube-bench", "2026-11-15T00:00:00.000Z"],
        ["kube-bench", "2026-11-22T00:00:00.000Z"],
      ]);
    });

    it("times objects without a timestamp name by LastModified", async () => {
      const modified = new Date("2026-11-21T08:00:00Z");
      const store = memoryStore({ "kube-bench/server-1.json": totalsText }, modified);
      const [r] = await loadBucketReports(store, { bucket: "evidence", prefix: "kube-bench/" });
      assert.equal(r.node, "server-1");
      assert.equal(r.time.toISOString(), modified.toISOString());
      assert.equal(r.timeFromName, false);
    });

    it("names an empty prefix, a failed listing, a failed read and a bad object", async () => {
      const empty = await rejection(loadBucketReports(memoryStore({}), { bucket: "evidence", prefix: "kube-bench/" }));
      assert.equal(empty.describe(), "s3://evidence/kube-bench/: no kube-bench JSON reports (*.json) under this prefix");

      const failing: ObjectStore = {
        list: async () => {
          throw new Error("The specified bucket does not exist");
        },
        read: async () => "",
      };
      const list = await rejection(loadBucketReports(failing, { bucket: "evidence", prefix: "kube-bench/" }));
      assert.equal(list.describe(), "s3://evidence/kube-bench/: cannot list the bucket: The specified bucket does not exist");

      const unreadable: ObjectStore = {
        list: async () => [{ key: "kube-bench/a/20261122T020000Z.json", lastModified: new Date() }],
        read: async () => {
          throw new Error("Access Denied.");
        },
      };
      const read = await rejection(loadBucketReports(unreadable, { bucket: "evidence", prefix: "kube-bench/" }));
      assert.equal(read.describe(), "s3://evidence/kube-bench/a/20261122T020000Z.json: cannot read the object: Access Denied.");

      const bad = await rejection(
        loadBucketReports(memoryStore({ "kube-bench/a/20261122T020000Z.json": "{" }), { bucket: "evidence", prefix: "kube-bench/" }),
      );
      assert.match(bad.describe(), /^s3:\/\/evidence\/kube-bench\/a\/20261122T020000Z\.json: malformed JSON/);
    });
  });

  describe("selectBenchmark", () => {
    it("refuses reports of different benchmarks, naming the file", async () => {
      const reports = await loadLocalReports([fixture("mixed")]);
      const err = syncRejection(() => selectBenchmark(reports));
      assert.equal(err.file, fixture("mixed", "server-1.json"));
      assert.match(err.message, /^benchmark k3s-cis-1\.7 differs from k3s-cis-1\.8 of .*agent-1\.json: .*--benchmark$/);
    });

    it("keeps only the chosen benchmark's reports with --benchmark", async () => {
      const reports = await loadLocalReports([fixture("mixed")]);
      const chosen = selectBenchmark(reports, "k3s-cis-1.8");
      assert.equal(chosen.benchmark.id, "k3s-cis-1.8");
      assert.deepEqual(chosen.reports.map((r) => r.node), ["agent-1"]);
      assert.deepEqual(chosen.skipped.map((r) => r.node), ["server-1"]);
      assert.match(syncRejection(() => selectBenchmark(reports, "k3s-cis-1.9")).describe(), /^--benchmark: no report of k3s-cis-1\.9/);
      assert.match(syncRejection(() => selectBenchmark(reports, "cis-1.9")).describe(), /^--benchmark: "cis-1\.9" is not supported/);
    });

    it("refuses a benchmark the catalog does not have", async () => {
      const reports = await loadLocalReports([fixture("bad", "unknown-benchmark.json")]);
      const err = syncRejection(() => selectBenchmark(reports));
      assert.equal(err.file, fixture("bad", "unknown-benchmark.json"));
      assert.match(err.message, /^benchmark "cis-1\.9" is not one this project catalogs/);
    });
  });
});
