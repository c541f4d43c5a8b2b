/**
 * The evidence store's content as plain values: where reports land, the uploader's IAM policy, the
 * expiry rule, and the MinIO client's alias line. The EvidenceBucket component and the render command
 * both use these.
 */
import type { EvidenceSettings } from "../config/capabilities";
import { EVIDENCE_PREFIX, MC } from "../kubebench/facts";

/** Key prefix of one cluster's reports: `kube-bench/<cluster>/` (then `<node>/<timestamp>.json`). */
export function reportPrefix(cluster: string): string {
  return `${EVIDENCE_PREFIX}/${cluster}/`;
}

/** Key prefix of one node's reports. */
export function nodeReportPrefix(cluster: string, node: string): string {
  return `${reportPrefix(cluster)}${node}/`;
}

export interface PolicyStatement {
  Sid: string;
  Effect: "Allow" | "Deny";
  Action: string[];
  Resource: string[];
}

/** What the uploader is explicitly denied, whatever else it is granted. */
export const UPLOADER_DENIED_ACTIONS = [
  "s3:BypassGovernanceRetention",
  "s3:PutObjectLegalHold",
  "s3:DeleteObject",
  "s3:DeleteObjectVersion",
  "s3:PutBucketObjectLockConfiguration",
  "s3:PutBucketVersioning",
  "s3:PutLifecycleConfiguration",
  "s3:PutBucketPolicy",
  "s3:DeleteBucketPolicy",
  "s3:DeleteBucket",
] as const;

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}

/**
 * The uploader may only write new report objects under its cluster's prefix (and set their retention
 * when reports are locked). It cannot list, read or delete anything. The two bucket-level reads are
 * what the MinIO client asks before a PUT: the bucket's region, and whether the bucket has object
 * locking (then it sends Content-MD5, which locked uploads require). Whatever else a policy attached
 * to the same user may grant, an explicit Deny takes away what would let stolen uploader credentials
 * undo evidence: bypassing GOVERNANCE retention, legal holds, deletes, and the bucket's lock, versioning,
 * lifecycle and policy settings. (Retention is set with each upload; COMPLIANCE retention, the default,
 * can then only be extended, never shortened, by anyone.)
 */
export function renderUploaderPolicy(evidence: EvidenceSettings, cluster: string): PolicyDocument {
  const objectActions = ["s3:PutObject"];
  if (evidence.lockMode !== "off") objectActions.push("s3:PutObjectRetention");
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "WriteReports", Effect: "Allow", Action: objectActions, Resource: [`arn:aws:s3:::${evidence.bucket}/${reportPrefix(cluster)}*`] },
      {
        Sid: "UploadPreflight",
        Effect: "Allow",
        Action: ["s3:GetBucketLocation", "s3:GetBucketObjectLockConfiguration"],
        Resource: [`arn:aws:s3:::${evidence.bucket}`],
      },
      {
        Sid: "NeverUndoEvidence",
        Effect: "Deny",
        Action: [...UPLOADER_DENIED_ACTIONS],
        Resource: [`arn:aws:s3:::${evidence.bucket}`, `arn:aws:s3:::${evidence.bucket}/*`],
      },
    ],
  };
}

/** One lifecycle (ILM) rule, shaped like @pulumi/minio's IlmPolicyRule. */
export interface LifecycleRule {
  id: string;
  status: "Enabled";
  filter: string;
  expiration: string;
  noncurrentVersionExpirationDays: number;
}

/**
 * Reports expire `retentionDays` after upload (a delete marker, as the bucket is versioned); the
 * version it hides is removed a day later. With object locking, each report is also locked for the same
 * window, so nothing can remove it earlier.
 */
export function renderLifecycleRules(evidence: EvidenceSettings): LifecycleRule[] {
  return [
    {
      id: "expire-kube-bench-reports",
      status: "Enabled",
      filter: `${EVIDENCE_PREFIX}/`,
      expiration: `${evidence.retentionDays}d`,
      noncurrentVersionExpirationDays: 1,
    },
  ];
}

/** `MC_HOST_evidence=https://<access key>:<secret key>@host:port`, the line of the uploader's Secret file. */
export function renderMcHostLine(endpoint: string, accessKey: string, secretKey: string): string {
  const u = new URL(endpoint);
  return `${MC.hostVariablePrefix}${MC.alias}=${u.protocol}//${accessKey}:${secretKey}@${u.host}\n`;
}

/** What the render command writes about the bucket (the MinIO side has no Kubernetes manifest). */
export function describeEvidenceBucket(evidence: EvidenceSettings, cluster: string): Record<string, unknown> {
  return {
    bucket: evidence.bucket,
    endpoint: evidence.endpoint,
    versioning: "Enabled",
    objectLocking: evidence.objectLocking,
    reportRetention: evidence.lockMode === "off" ? "none" : { mode: evidence.lockMode.toUpperCase(), days: evidence.retentionDays },
    lifecycle: renderLifecycleRules(evidence),
    reports: `${evidence.bucket}/${reportPrefix(cluster)}<node>/<UTC timestamp, e.g. 20261122T020000Z>.json`,
    uploader: { user: evidence.uploaderUser, policy: renderUploaderPolicy(evidence, cluster) },
  };
}
