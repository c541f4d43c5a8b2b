/**
 * The evidence bucket behind the ObjectStore interface, through the MinIO client (any S3 API works).
 *
 * Settings come from the environment, with the guide's MinIO names first and the AWS ones as fallback:
 * - endpoint: MINIO_URL, MINIO_ENDPOINT, AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL (e.g. https://minio.example:9000;
 *   without a scheme https is assumed);
 * - credentials: MINIO_ACCESS_KEY / MINIO_SECRET_KEY, or AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY
 *   (+ AWS_SESSION_TOKEN); none at all means anonymous requests;
 * - region: MINIO_REGION, AWS_REGION or AWS_DEFAULT_REGION (default us-east-1, MinIO's).
 */
import * as http from "http";
import * as https from "https";
import type { Client } from "minio";
import { ReportInputError } from "./errors";
import { ObjectStore, StoredObject } from "./load";

export interface S3Settings {
  endPoint: string;
  port: number;
  useSSL: boolean;
  accessKey?: string;
  secretKey?: string;
  sessionToken?: string;
  region: string;
}

type Env = Record<string, string | undefined>;

function first(env: Env, names: readonly string[]): { name: string; value: string } | undefined {
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value.trim() !== "") return { name, value: value.trim() };
  }
  return undefined;
}

const ENDPOINT_VARS = ["MINIO_URL", "MINIO_ENDPOINT", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"] as const;
const ACCESS_VARS = ["MINIO_ACCESS_KEY", "AWS_ACCESS_KEY_ID"] as const;
const SECRET_VARS = ["MINIO_SECRET_KEY", "AWS_SECRET_ACCESS_KEY"] as const;
const REGION_VARS = ["MINIO_REGION", "AWS_REGION", "AWS_DEFAULT_REGION"] as const;

/** Reads the bucket's endpoint and credentials from the environment; errors name the variables to set. */
export function s3SettingsFromEnv(env: Env): S3Settings {
  const endpoint = first(env, ENDPOINT_VARS);
  if (endpoint === undefined) {
    throw new ReportInputError("--bucket", `set the S3 endpoint in ${ENDPOINT_VARS.join(" or ")} (e.g. https://minio.example:9000)`);
  }
  const raw = /^[a-z][a-z0-9+.-]*:\/\//i.test(endpoint.value) ? endpoint.value : `https://${endpoint.value}`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ReportInputError("--bucket", `${endpoint.name} "${endpoint.value}" is not a URL (e.g. https://minio.example:9000)`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ReportInputError("--bucket", `${endpoint.name} must be an http:// or https:// URL, got ${url.protocol}//`);
  }
  if (url.pathname !== "/" && url.pathname !== "") {
    throw new ReportInputError("--bucket", `${endpoint.name} must not have a path (got ${url.pathname}); give the bucket with --bucket`);
  }
  const useSSL = url.protocol === "https:";
  const access = first(env, ACCESS_VARS);
  const secret = first(env, SECRET_VARS);
  if ((access === undefined) !== (secret === undefined)) {
    throw new ReportInputError(
      "--bucket",
      access === undefined
        ? `${secret?.name} is set but no access key (${ACCESS_VARS.join(" or ")})`
        : `${access.name} is set but no secret key (${SECRET_VARS.join(" or ")})`,
    );
  }
  return {
    endPoint: url.hostname.replace(/^\[|\]$/g, ""),
    port: url.port === "" ? (useSSL ? 443 : 80) : Number(url.port),
    useSSL,
    accessKey: access?.value,
    secretKey: secret?.value,
    sessionToken: first(env, ["AWS_SESSION_TOKEN"])?.value,
    region: first(env, REGION_VARS)?.value ?? "us-east-1",
  };
}

/**
 * An ObjectStore over the MinIO client, loaded on first use (only bucket runs need it). Connections are
 * not kept alive, so the command exits as soon as it is done.
 */
export function minioObjectStore(settings: S3Settings): ObjectStore {
  let client: Promise<Client> | undefined;
  const getClient = (): Promise<Client> => {
    client ??= import("minio").then((minio) => {
      const agent = settings.useSSL ? new https.Agent({ keepAlive: false }) : new http.Agent({ keepAlive: false });
      return new minio.Client({
        endPoint: settings.endPoint,
        port: settings.port,
        useSSL: settings.useSSL,
        accessKey: settings.accessKey ?? "",
        secretKey: settings.secretKey ?? "",
        sessionToken: settings.sessionToken,
        region: settings.region,
        transportAgent: agent,
      });
    });
    return client;
  };
  return {
    async list(bucket: string, prefix: string): Promise<StoredObject[]> {
      const c = await getClient();
      return new Promise((resolve, reject) => {
        const found: StoredObject[] = [];
        const stream = c.listObjectsV2(bucket, prefix, true);
        stream.on("data", (item) => {
          if (item.name !== undefined) found.push({ key: item.name, lastModified: new Date(item.lastModified) });
        });
        stream.on("error", reject);
        stream.on("end", () => resolve(found));
      });
    },
    async versions(bucket: string, prefix: string): Promise<Map<string, number>> {
      const c = await getClient();
      return new Promise((resolve, reject) => {
        const counts = new Map<string, number>();
        // ListObjectVersions: every version of every key, delete markers included.
        const stream = c.listObjects(bucket, prefix, true, { IncludeVersion: true });
        stream.on("data", (item: { name?: string }) => {
          if (item.name !== undefined) counts.set(item.name, (counts.get(item.name) ?? 0) + 1);
        });
        stream.on("error", reject);
        stream.on("end", () => resolve(counts));
      });
    },
    async read(bucket: string, key: string): Promise<string> {
      const stream = await (await getClient()).getObject(bucket, key);
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
      return Buffer.concat(chunks).toString("utf8");
    },
  };
}
