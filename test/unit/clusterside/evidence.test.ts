import assert from "node:assert/strict";
import { bucketNameProblem } from "../../../components/config/capabilities";
import { describeEvidenceBucket, nodeReportPrefix, renderLifecycleRules, renderUploaderPolicy, reportPrefix } from "../../../components/evidence/render";
import { build, withCapability } from "./fixtures";

describe("evidence bucket", () => {
  const { caps, cfg } = build();

  it("lays reports out as kube-bench/<cluster>/<node>/ (what the report command reads)", () => {
    assert.equal(reportPrefix("dev"), "kube-bench/dev/");
    assert.equal(nodeReportPrefix("dev", "cp-1"), "kube-bench/dev/cp-1/");
    assert.match(String(describeEvidenceBucket(caps.evidence, cfg.cluster).reports), /^test-cis-evidence\/kube-bench\/test\/<node>\/<UTC timestamp/);
  });

  it("lets the uploader only write reports under its cluster's prefix", () => {
    const policy = renderUploaderPolicy(caps.evidence, cfg.cluster);
    const write = policy.Statement.find((s) => s.Sid === "WriteReports");
    assert.deepEqual(write?.Action, ["s3:PutObject", "s3:PutObjectRetention"]);
    assert.deepEqual(write?.Resource, ["arn:aws:s3:::test-cis-evidence/kube-bench/test/*"]);
    const actions = policy.Statement.filter((s) => s.Effect === "Allow").flatMap((s) => s.Action);
    for (const a of actions) assert.ok(!/Delete|GetObject$|ListBucket|Bypass|LegalHold|\*/.test(a), `unexpected action ${a}`);
    const bucketLevel = policy.Statement.find((s) => s.Sid === "UploadPreflight");
    assert.deepEqual(bucketLevel?.Resource, ["arn:aws:s3:::test-cis-evidence"]);
  });

  it("explicitly denies the uploader whatever would undo evidence: the GOVERNANCE bypass, legal holds, deletes, lock, versioning, lifecycle and policy changes", () => {
    const deny = renderUploaderPolicy(caps.evidence, cfg.cluster).Statement.find((s) => s.Effect === "Deny");
    assert.deepEqual(deny?.Resource, ["arn:aws:s3:::test-cis-evidence", "arn:aws:s3:::test-cis-evidence/*"]);
    for (const a of ["s3:BypassGovernanceRetention", "s3:PutObjectLegalHold", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutBucketObjectLockConfiguration", "s3:PutBucketVersioning", "s3:PutLifecycleConfiguration"]) {
      assert.ok(deny?.Action.includes(a), a);
    }
  });

  it("drops the retention permission when reports are not locked", () => {
    const b = build(withCapability("evidence", { bucket: "test-cis-evidence", endpoint: "https://m.example:9000", lockMode: "off" }));
    assert.deepEqual(renderUploaderPolicy(b.caps.evidence, b.cfg.cluster).Statement[0].Action, ["s3:PutObject"]);
  });

  it("expires reports after the retention window", () => {
    assert.deepEqual(renderLifecycleRules(caps.evidence), [
      { id: "expire-kube-bench-reports", status: "Enabled", filter: "kube-bench/", expiration: "400d", noncurrentVersionExpirationDays: 1 },
    ]);
    const b = build(withCapability("evidence", { bucket: "test-cis-evidence", endpoint: "https://m.example:9000", retentionDays: 30 }));
    assert.equal(renderLifecycleRules(b.caps.evidence)[0].expiration, "30d");
  });

  it("checks bucket names the way S3 and MinIO do", () => {
    for (const ok of ["k3s-dev-cis-evidence", "abc", "a.b-c.d1"]) assert.equal(bucketNameProblem(ok), undefined, ok);
    for (const bad of ["ab", "a".repeat(64), "Evidence", "evidence_", "-evidence", "evi..dence", "evi.-dence", "10.0.0.1", "xn--evidence", "evidence-s3alias"]) {
      assert.ok(bucketNameProblem(bad), bad);
    }
  });
});
