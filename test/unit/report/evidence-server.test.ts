// The evidence guarantees against a real S3 server (versitygw): what COMPLIANCE retention (the default)
// stops, what GOVERNANCE does not, and the report refusing an overwritten or forged report it reads
// through the MinIO client, as `npm run report -- --bucket` does.
import { strict as assert } from "assert";
import { getBenchmark } from "../../../components/cis";
import { loadBucketReports } from "../../../report/load";
import { minioObjectStore } from "../../../report/s3";
import { assess } from "../../../report/score";
import { SERVER_TARGETS, buildKubeBenchReport, toKubeBenchJson } from "../../fixtures/kube-bench/build";
import { build } from "../clusterside/fixtures";
import { S3Server, s3Request, startS3Server } from "../../s3Server";

const DAY_MS = 24 * 60 * 60 * 1000;

describe("evidence on a real S3 server (versitygw)", function () {
  this.timeout(300_000);
  let s3: S3Server;
  const { caps } = build();
  const report = (): string => toKubeBenchJson(buildKubeBenchReport(getBenchmark("k3s-cis-1.12"), { targets: SERVER_TARGETS }), false);

  before(async () => {
    s3 = await startS3Server();
    assert.equal(s3Request(s3, "PUT", "/evidence", "", { "x-amz-bucket-object-lock-enabled": "true" }).status, 200);
  });
  after(() => s3?.stop());

  /** An upload as the scan Job's `mc cp --retention-mode <mode> --retention-duration <days>d` makes it. */
  function upload(key: string, body: string, mode = caps.evidence.lockMode.toUpperCase()): void {
    const until = new Date(Date.now() + caps.evidence.retentionDays * DAY_MS).toISOString().replace(/\.\d+Z$/, "Z");
    const r = s3Request(s3, "PUT", `/evidence/${key}`, body, { "x-amz-object-lock-mode": mode, "x-amz-object-lock-retain-until-date": until });
    assert.equal(r.status, 200, r.body);
  }

  function shorten(key: string, mode: string): number {
    const soon = new Date(Date.now() + DAY_MS).toISOString().replace(/\.\d+Z$/, "Z");
    const xml = `<Retention xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Mode>${mode}</Mode><RetainUntilDate>${soon}</RetainUntilDate></Retention>`;
    return s3Request(s3, "PUT", `/evidence/${key}?retention=`, xml, { "x-amz-bypass-governance-retention": "true" }).status;
  }

  it("COMPLIANCE, the default, stops shortening a report's retention even with the GOVERNANCE bypass; GOVERNANCE does not", () => {
    assert.equal(caps.evidence.lockMode, "compliance");
    upload("kube-bench/test/cp-1/20261122T020000Z-scan-a.json", report());
    assert.equal(shorten("kube-bench/test/cp-1/20261122T020000Z-scan-a.json", "COMPLIANCE"), 403);
    const kept = s3Request(s3, "GET", "/evidence/kube-bench/test/cp-1/20261122T020000Z-scan-a.json?retention=");
    assert.match(kept.body, /<Mode>COMPLIANCE<\/Mode><RetainUntilDate>(\d{4})-/);
    assert.ok(Number(/<RetainUntilDate>(\d{4})/.exec(kept.body)![1]) >= new Date().getUTCFullYear() + 1, "still about 400 days");
    // What the issue saw: under GOVERNANCE the bypass header cuts 400 days to 1.
    upload("kube-bench/test/cp-1/20261122T020000Z-scan-g.json", report(), "GOVERNANCE");
    assert.equal(shorten("kube-bench/test/cp-1/20261122T020000Z-scan-g.json", "GOVERNANCE"), 200);
  });

  it("an overwritten key keeps both versions and fails the gate; a report named in the future is timed by the store and fails it too", async () => {
    const prefix = "kube-bench/gate/";
    upload(`${prefix}server-1/20261122T020000Z-scan-1.json`, report());
    // The uploader's own credentials can write the same key again: a second version, never a replacement.
    upload(`${prefix}server-1/20261122T020000Z-scan-1.json`, report());
    upload(`${prefix}server-2/20991231T235959Z-forged.json`, report());

    const store = minioObjectStore({ endPoint: "127.0.0.1", port: s3.port, useSSL: false, accessKey: s3.accessKey, secretKey: s3.secretKey, region: "us-east-1" });
    const versions = await store.versions!("evidence", `${prefix}server-1/`);
    assert.deepEqual([...versions.entries()], [[`${prefix}server-1/20261122T020000Z-scan-1.json`, 2]]);
    const loaded = await loadBucketReports(store, { bucket: "evidence", prefix: "kube-bench/", cluster: "gate" });
    const forged = loaded.find((r) => r.node === "server-2")!;
    assert.ok(forged.time.getTime() < Date.now() + 60_000, "timed by the store, not by its name");
    const a = assess(loaded, getBenchmark("k3s-cis-1.12"), { maxFail: 100, maxAgeDays: 0, now: new Date() });
    assert.equal(a.gate.passed, false);
    const reasons = a.gate.reasons.join("\n");
    assert.match(reasons, /server-1\/20261122T020000Z-scan-1\.json: the key holds 2 versions: the report was overwritten/);
    assert.match(reasons, /server-2\/20991231T235959Z-forged\.json: its name says 2099-12-31T23:59:59\.000Z, but the store wrote it at \d{4}-/);
  });
});
