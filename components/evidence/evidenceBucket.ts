/**
 * EvidenceBucket: the MinIO bucket kube-bench reports land in, and the uploader identity that may only
 * add reports under this cluster's prefix. The MinIO provider comes from the stack configuration
 * (`minio:minioServer`, `minio:minioUser`, `minio:minioPassword`, `minio:minioSsl`) unless one is passed.
 */
import * as pulumi from "@pulumi/pulumi";
import * as minio from "@pulumi/minio";
import { EvidenceSettings } from "../config/capabilities";
import { renderLifecycleRules, renderUploaderPolicy, reportPrefix } from "./render";

/** Type token; stack policies find the evidence store by it. */
export const EVIDENCE_BUCKET_TYPE = "k3s-cis:evidence:EvidenceBucket";

export interface EvidenceBucketArgs {
  /** The validated evidence settings (bucket, locking, retention, uploader user). */
  settings: EvidenceSettings;
  /** Cluster name: reports go under `kube-bench/<cluster>/`. */
  cluster: string;
}

export class EvidenceBucket extends pulumi.ComponentResource {
  public readonly bucket: minio.S3Bucket;
  public readonly bucketName: pulumi.Output<string>;
  /** `kube-bench/<cluster>/`. */
  public readonly reportPrefix: pulumi.Output<string>;
  public readonly uploaderUser: pulumi.Output<string>;
  /** The uploader's access key (its user name). */
  public readonly uploaderAccessKey: pulumi.Output<string>;
  /** The uploader's secret key; a secret in state and outputs. */
  public readonly uploaderSecretKey: pulumi.Output<string>;
  /** The policy attachment: uploads work once it exists. */
  public readonly uploaderReady: pulumi.Resource;

  constructor(name: string, args: EvidenceBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super(EVIDENCE_BUCKET_TYPE, name, {}, opts);
    const s = args.settings;
    // Evidence outlives the stack unless asked otherwise: destroying the stack leaves the bucket, its
    // versioning and its expiry rule in place (the IAM user and policy are removed).
    const keep = { parent: this, retainOnDelete: s.keepOnDestroy };

    this.bucket = new minio.S3Bucket(
      `${name}-bucket`,
      // objectLocking only takes effect when the bucket is created; MinIO requires versioning with it.
      { bucket: s.bucket, acl: "private", objectLocking: s.objectLocking, forceDestroy: false },
      keep,
    );
    const versioning = new minio.S3BucketVersioning(
      `${name}-versioning`,
      { bucket: this.bucket.bucket, versioningConfiguration: { status: "Enabled" } },
      keep,
    );
    new minio.IlmPolicy(`${name}-expiry`, { bucket: this.bucket.bucket, rules: renderLifecycleRules(s) }, { ...keep, dependsOn: [versioning] });

    const policy = new minio.IamPolicy(
      `${name}-uploader-policy`,
      { name: `kube-bench-upload-${args.cluster}`, policy: JSON.stringify(renderUploaderPolicy(s, args.cluster)) },
      { parent: this, dependsOn: [this.bucket] },
    );
    const user = new minio.IamUser(`${name}-uploader`, { name: s.uploaderUser, forceDestroy: true }, { parent: this, additionalSecretOutputs: ["secret"] });
    this.uploaderReady = new minio.IamUserPolicyAttachment(`${name}-uploader-policy`, { userName: user.name, policyName: policy.name }, { parent: this });

    this.bucketName = this.bucket.bucket;
    this.reportPrefix = pulumi.output(reportPrefix(args.cluster));
    this.uploaderUser = user.name;
    this.uploaderAccessKey = user.name;
    this.uploaderSecretKey = pulumi.secret(user.secret);
    // The secret key is not registered: it only travels to the uploader's Secret.
    this.registerOutputs({ bucketName: this.bucketName, reportPrefix: this.reportPrefix, uploaderUser: this.uploaderUser });
  }
}
