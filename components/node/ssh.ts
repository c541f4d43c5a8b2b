/**
 * Read-only SSH from the program itself (the drift probe, `npm run drift`), with the same trust as the
 * apply command: the node's pinned host key (only its algorithm is offered, as the command provider
 * does), the same private key, `sudo -n` for non-root users. Scripts go to `bash -s` on standard input;
 * nothing secret is ever part of a command string, and errors name the node and its address, never a key.
 */
import { Client, ConnectConfig } from "ssh2";
import { NodeSpec } from "../config/types";

export interface SshTarget {
  name: string;
  host: string;
  port: number;
  user: string;
  sudo: boolean;
  hostKey?: string;
  insecureIgnoreHostKey: boolean;
  privateKey: string;
}

export function sshTarget(node: NodeSpec): SshTarget {
  return {
    name: node.name,
    host: node.host,
    port: node.port,
    user: node.user,
    sudo: node.sudo,
    hostKey: node.hostKey,
    insecureIgnoreHostKey: node.insecureIgnoreHostKey,
    privateKey: node.privateKey.value,
  };
}

/** A failure to reach or use a node: the message names the node and never carries key material. */
export class NodeUnreachableError extends Error {
  constructor(
    public readonly node: string,
    public readonly address: string,
    public readonly reason: string,
  ) {
    super(`node ${node} (${address}): ${reason}`);
  }
}

export interface RunOptions {
  /** Seconds for the TCP connect plus the SSH handshake. */
  connectTimeoutSeconds?: number;
  /** Seconds the whole script may take. */
  timeoutSeconds?: number;
}

/** Run a script through `bash -s` on the node (as root or with `sudo -n`) and return its stdout. */
export function runScript(t: SshTarget, script: string, opts: RunOptions = {}): Promise<string> {
  const address = t.host.includes(":") ? `[${t.host}]:${t.port}` : `${t.host}:${t.port}`;
  const fail = (reason: string) => new NodeUnreachableError(t.name, address, reason);
  return new Promise((resolve, reject) => {
    const client = new Client();
    let settled = false;
    let hostKeyMismatch = false;
    const done = (err: Error | null, out?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      client.end();
      if (err) reject(err);
      else resolve(out ?? "");
    };
    const timer = setTimeout(() => done(fail(`no answer within ${opts.timeoutSeconds ?? 120}s`)), (opts.timeoutSeconds ?? 120) * 1000);
    const cfg: ConnectConfig = {
      host: t.host,
      port: t.port,
      username: t.user,
      privateKey: t.privateKey,
      readyTimeout: (opts.connectTimeoutSeconds ?? 15) * 1000,
      // Never fall back to an agent or a password: the stack's key is the identity.
      agent: undefined,
      tryKeyboard: false,
    };
    if (!t.insecureIgnoreHostKey) {
      const [type, b64] = (t.hostKey ?? "").trim().split(/\s+/);
      if (!type || !b64) {
        done(fail("no hostKey to verify the node against"));
        return;
      }
      const want = Buffer.from(b64, "base64");
      cfg.algorithms = { serverHostKey: [type as never] };
      cfg.hostVerifier = (key: Buffer) => {
        const ok = Buffer.isBuffer(key) && key.equals(want);
        if (!ok) hostKeyMismatch = true;
        return ok;
      };
    }
    client.on("error", (e: Error & { level?: string }) => {
      if (hostKeyMismatch) done(fail("the host key does not match the configured hostKey (the node was rebuilt, or this is not the node): verify it out of band and update hostKey"));
      else if (e.level === "client-authentication") done(fail(`SSH login as ${t.user} was refused for the configured private key`));
      else done(fail(e.message.replace(/\s+/g, " ")));
    });
    client.on("ready", () => {
      client.exec(t.sudo ? "sudo -n /bin/bash -s" : "/bin/bash -s", (err, stream) => {
        if (err) return done(fail(`could not start a shell: ${err.message}`));
        const out: Buffer[] = [];
        const errOut: Buffer[] = [];
        stream.on("data", (d: Buffer) => out.push(d));
        stream.stderr.on("data", (d: Buffer) => errOut.push(d));
        stream.on("close", (code: number | null) => {
          const stdout = Buffer.concat(out).toString("utf8");
          if (code === 0) return done(null, stdout);
          const stderr = Buffer.concat(errOut).toString("utf8").trim().split("\n").slice(-3).join(" / ");
          const hint = t.sudo && /sudo/.test(stderr) ? ` (sudo -n must work without a password for ${t.user})` : "";
          done(fail(`the read-only probe exited with ${code}: ${stderr || stdout.trim().split("\n").pop() || "no output"}${hint}`));
        });
        stream.end(script);
      });
    });
    try {
      client.connect(cfg);
    } catch (e) {
      done(fail(`cannot connect: ${(e as Error).message}`));
    }
  });
}

/** Run fn over items with at most `limit` at once, keeping order. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
