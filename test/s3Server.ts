/**
 * A real S3 server for the evidence tests: versitygw (Apache-2.0), built from the Go module proxy by
 * scripts/build-s3-server.sh ($S3_SERVER_BIN names a folder holding it instead; see builds.ts). It listens on a free
 * loopback port with versioning on; the tests sign plain requests with curl (--aws-sigv4), which is
 * what the notes found reliable for object-lock calls, and use the MinIO client where the product does.
 */
import { ChildProcess, spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { builtBinFolder } from "./builds";

export interface S3Server {
  endpoint: string;
  port: number;
  accessKey: string;
  secretKey: string;
  stop(): void;
}

function binary(): string {
  const dir = builtBinFolder("S3_SERVER_BIN", "build-s3-server.sh");
  const bin = path.join(dir, "versitygw");
  if (!fs.existsSync(bin)) throw new Error(`no versitygw in ${dir}: run scripts/build-s3-server.sh`);
  return bin;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startS3Server(): Promise<S3Server> {
  const bin = binary();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "versitygw-"));
  fs.mkdirSync(path.join(dir, "data"));
  fs.mkdirSync(path.join(dir, "versions"));
  const port = await freePort();
  const accessKey = "evidence-test-root";
  const secretKey = "evidence-test-secret-0123";
  const child: ChildProcess = spawn(bin, ["--port", `127.0.0.1:${port}`, "--access", accessKey, "--secret", secretKey, "posix", "--versioning-dir", path.join(dir, "versions"), path.join(dir, "data")], {
    stdio: "ignore",
  });
  for (let i = 0; i < 200; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, "127.0.0.1", () => (s.end(), resolve(true)));
      s.on("error", () => resolve(false));
    });
    if (up) break;
    if (i === 199) throw new Error(`versitygw did not listen on 127.0.0.1:${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    accessKey,
    secretKey,
    stop: () => {
      child.kill();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** One signed request with curl; returns the HTTP status and body. */
export function s3Request(server: S3Server, method: string, pathAndQuery: string, body = "", headers: Record<string, string> = {}): { status: number; body: string } {
  const sha = createHash("sha256").update(body).digest("hex");
  const args = ["-s", "-o", "-", "-w", "\n%{http_code}", "--aws-sigv4", "aws:amz:us-east-1:s3", "--user", `${server.accessKey}:${server.secretKey}`, "-X", method, "-H", `x-amz-content-sha256: ${sha}`];
  if (body !== "") args.push("-H", `Content-MD5: ${createHash("md5").update(body).digest("base64")}`, "--data-binary", body);
  for (const [k, v] of Object.entries(headers)) args.push("-H", `${k}: ${v}`);
  args.push(`${server.endpoint}${pathAndQuery}`);
  const r = spawnSync("curl", args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`curl failed: ${r.stderr}`);
  const i = r.stdout.lastIndexOf("\n");
  return { status: Number(r.stdout.slice(i + 1)), body: r.stdout.slice(0, i) };
}
