import { strict as assert } from "assert";
import { readFileSync } from "fs";
import { ReportInputError } from "../../../report/errors";
import { loadBucketReports } from "../../../report/load";
import { minioObjectStore, s3SettingsFromEnv } from "../../../report/s3";
import { FakeS3, startFakeS3 } from "./fake-s3";
import { fixture } from "./helpers";

function settingsError(env: Record<string, string>): string {
  try {
    s3SettingsFromEnv(env);
  } catch (err) {
    assert.ok(err instanceof ReportInputError);
    return err.describe();
  }
  assert.fail("expected an error");
}

describe("report/s3", () => {
  describe("s3SettingsFromEnv", () => {
    it("reads the guide's MinIO variables", () => {
      const s = s3SettingsFromEnv({ MINIO_URL: "https://minio.example:9000", MINIO_ACCESS_KEY: "ak", MINIO_SECRET_KEY: "sk" });
      assert.deepEqual(s, {
        endPoint: "minio.example",
        port: 9000,
        useSSL: true,
        accessKey: "ak",
        secretKey: "sk",
        sessionToken: undefined,
        region: "us-east-1",
      });
    });

    it("falls back to the AWS variables, defaults the port and assumes https without a scheme", () => {
      const s = s3SettingsFromEnv({
        AWS_ENDPOINT_URL: "s3.example",
        AWS_ACCESS_KEY_ID: "ak",
        AWS_SECRET_ACCESS_KEY: "sk",
        AWS_SESSION_TOKEN: "tok",
        AWS_REGION: "eu-west-1",
      });
      assert.equal(s.endPoint, "s3.example");
      assert.equal(s.port, 443);
      assert.equal(s.useSSL, true);
      assert.equal(s.sessionToken, "tok");
      assert.equal(s.region, "eu-west-1");
      assert.equal(s3SettingsFromEnv({ MINIO_ENDPOINT: "http://minio.internal" }).port, 80);
    });

    it("names the variables to set, without echoing secrets", () => {
      assert.match(settingsError({}), /^--bucket: set the S3 endpoint in MINIO_URL or MINIO_ENDPOINT or AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL/);
      assert.equal(
        settingsError({ MINIO_URL: "http://m:9000", MINIO_SECRET_KEY: "hunter2" }),
        "--bucket: MINIO_SECRET_KEY is set but no access key (MINIO_ACCESS_KEY or AWS_ACCESS_KEY_ID)",
      );
      assert.match(settingsError({ MINIO_URL: "ftp://m" }), /must be an http:\/\/ or https:\/\/ URL/);
      assert.match(settingsError({ MINIO_URL: "http://m:9000/evidence" }), /must not have a path/);
    });
  });

  describe("minioObjectStore against a local stand-in S3 server", () => {
    const body = readFileSync(fixture("shapes", "totals.json"), "utf8");
    const modified = new Date("2026-11-22T02:00:07Z");
    const objects: Record<string, string> = {
      "kube-bench/prod/agent-1/20261122T020000Z.json": body,
      "kube-bench/prod/server-1/20261115T020000Z.json": body,
      "kube-bench/prod/server-1/20261122T020000Z.json": body,
      "other/file.json": "{}",
    };
    let s3: FakeS3;
    before(async () => {
      s3 = await startFakeS3("evidence", objects, modified);
    });
    after(async () => {
      await s3.close();
    });

    const store = () => minioObjectStore(s3SettingsFromEnv({ MINIO_URL: s3.url, MINIO_ACCESS_KEY: "ak", MINIO_SECRET_KEY: "sk" }));

    it("lists every page under a prefix and reads objects", async () => {
      const listed = await store().list("evidence", "kube-bench/");
      assert.deepEqual(listed.map((o) => o.key), Object.keys(objects).filter((k) => k.startsWith("kube-bench/")).sort());
      assert.ok(listed.every((o) => o.lastModified.getTime() === modified.getTime()));
      assert.ok(s3.requests.some((r) => r.includes("continuation-token=page-2")), "second page requested");
      assert.equal(await store().read("evidence", "kube-bench/prod/agent-1/20261122T020000Z.json"), body);
    });

    it("loads the reports through loadBucketReports", async () => {
      const reports = await loadBucketReports(store(), { bucket: "evidence", prefix: "kube-bench/", cluster: "prod" });
      assert.deepEqual(reports.map((r) => `${r.node}@${r.time.toISOString()}`), [
        "agent-1@2026-11-22T02:00:00.000Z",
        "server-1@2026-11-15T02:00:00.000Z",
        "server-1@2026-11-22T02:00:00.000Z",
      ]);
    });

    it("reports a missing bucket and a missing key as errors naming them", async () => {
      await assert.rejects(loadBucketReports(store(), { bucket: "nope", prefix: "kube-bench/" }), (err: unknown) => {
        assert.ok(err instanceof ReportInputError);
        assert.match(err.describe(), /^s3:\/\/nope\/kube-bench\/: cannot list the bucket: .*bucket does not exist/);
        return true;
      });
      await assert.rejects(store().read("evidence", "kube-bench/missing.json"), /key does not exist/);
    });
  });
});
