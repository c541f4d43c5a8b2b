import { strict as assert } from "assert";
import { readFileSync } from "fs";
import { ReportInputError } from "../../../report/errors";
import { countStatuses, parseKubeBenchJson } from "../../../report/parse";
import { fixture } from "./helpers";

const read = (...parts: string[]): string => readFileSync(fixture(...parts), "utf8");

function parseError(text: string, file = "in.json"): ReportInputError {
  try {
    parseKubeBenchJson(text, file);
  } catch (err) {
    assert.ok(err instanceof ReportInputError, `expected ReportInputError, got ${String(err)}`);
    return err;
  }
  assert.fail("expected a ReportInputError");
}

describe("report/parse", () => {
  it("reads the {Controls, Totals} shape", () => {
    const r = parseKubeBenchJson(read("shapes", "totals.json"), "totals.json");
    assert.equal(r.shape, "totals");
    assert.equal(r.benchmark, "k3s-cis-1.7");
    assert.deepEqual(r.targets, ["master", "node"]);
    assert.deepEqual(
      r.results.map((x) => [x.id, x.status, x.type]),
      [
        ["1.2.1", "PASS", ""],
        ["1.2.9", "WARN", "manual"],
        ["1.2.12", "INFO", "skip"],
        ["1.2.17", "FAIL", ""],
        ["4.2.4", "PASS", ""],
      ],
    );
    assert.deepEqual(r.totals, { pass: 2, fail: 1, warn: 1, info: 1 });
    const first = r.results[0];
    assert.equal(first.section, "1.2");
    assert.equal(first.sectionTitle, "API Server");
    assert.equal(first.target, "master");
    assert.equal(first.scored, true);
    assert.equal(first.expectedResult, "'--anonymous-auth' is equal to 'false'");
    // Go's json.Marshal escapes < and >; they read back as the characters.
    assert.match(first.remediation, /<server config>/);
    assert.match(r.results[3].reason, /^failed to run/);
  });

  it("reads the bare array that --nototals writes, with the same results", () => {
    const withTotals = parseKubeBenchJson(read("shapes", "totals.json"), "a");
    const bare = parseKubeBenchJson(read("shapes", "nototals.json"), "b");
    assert.equal(bare.shape, "nototals");
    assert.equal(bare.totals, undefined);
    assert.deepEqual(bare.results, withTotals.results);
    assert.deepEqual(countStatuses(bare.results), { pass: 2, fail: 1, warn: 1, info: 1 });
  });

  it("accepts null groups and results (Go nil slices) and a byte-order mark", () => {
    const doc = [
      { id: "1", version: "k3s-cis-1.7", node_type: "master", tests: null },
      {
        id: "4",
        version: "k3s-cis-1.7",
        node_type: "node",
        tests: [
          { section: "4.1", results: null },
          { section: "4.2", results: [{ test_number: "4.2.1", status: "PASS", type: "" }] },
        ],
      },
    ];
    const r = parseKubeBenchJson(`\uFEFF${JSON.stringify(doc)}`, "x.json");
    assert.deepEqual(r.results.map((x) => x.id), ["4.2.1"]);
  });

  it("names the file and the problem for malformed JSON", () => {
    const err = parseError(read("bad", "malformed.json"), "bad/malformed.json");
    assert.equal(err.file, "bad/malformed.json");
    assert.match(err.describe(), /^bad\/malformed\.json: malformed JSON: /);
  });

  it("rejects JSON that is not kube-bench output", () => {
    for (const name of ["not-kube-bench.json", "other-array.json"]) {
      const err = parseError(read("bad", name), name);
      assert.match(err.message, /^not kube-bench JSON output/, name);
    }
    assert.match(parseError("42").message, /^not kube-bench JSON output/);
    assert.match(parseError("null").message, /^not kube-bench JSON output/);
  });

  it("rejects a report without any result", () => {
    assert.match(parseError("[]").message, /no controls/);
    assert.match(parseError('{"Controls": []}').message, /no controls/);
    assert.match(parseError('[{"version": "k3s-cis-1.7", "tests": []}]').message, /no check results/);
  });

  it("names the path of an invalid status", () => {
    const err = parseError(read("bad", "unknown-status.json"));
    assert.equal(
      err.message,
      'Controls[0].tests[0].results[0].status must be one of PASS, FAIL, WARN, INFO, got "OK" (check 1.2.1)',
    );
  });

  it("rejects one report whose controls name different benchmarks", () => {
    const err = parseError(read("bad", "versions-in-one-report.json"));
    assert.match(err.message, /Controls\[1\]\.version "k3s-cis-1\.8" differs from Controls\[0\]\.version "k3s-cis-1\.7"/);
  });

  it("rejects Totals that disagree with the results", () => {
    const err = parseError(read("bad", "totals-mismatch.json"));
    assert.match(err.message, /^Totals disagree with the results \(total_pass 3 but 2 results, total_fail 0 but 1 results\)/);
  });

  it("rejects results without an id and controls without a version", () => {
    assert.match(
      parseError('[{"version": "k3s-cis-1.7", "tests": [{"results": [{"status": "PASS"}]}]}]').message,
      /results\[0\]\.test_number must be a CIS id string/,
    );
    assert.match(parseError('[{"version": "", "tests": []}]').message, /\[0\]\.version must name the benchmark/);
  });
});
