/**
 * The program's own (read-only) contact with the nodes: the drift probe during preview and up, and the
 * reachability check before a restore. Both use the stack's SSH identity and the pinned host keys.
 */
import * as net from "node:net";
import * as pulumi from "@pulumi/pulumi";
import { NodeSpec, StackConfig } from "../config/types";
import { renderNodeBundle } from "../k3s/render";
import { compareNode, NodeDrift, parseProbeOutput, renderProbeScript } from "./drift";
import { NodeUnreachableError, runScript, sshTarget } from "./ssh";

/** SSH sessions the drift check opens at once. */
export const DRIFT_PROBE_CONCURRENCY = 10;

/** Probe one node and compare it with the bundle the stack would write (secrets included, never shown). */
export async function probeNodeDrift(cfg: StackConfig, node: NodeSpec): Promise<NodeDrift> {
  const bundle = renderNodeBundle(cfg, node, (s) => s);
  const out = await runScript(sshTarget(node), renderProbeScript(bundle), { timeoutSeconds: 60 });
  try {
    return compareNode(bundle, parseProbeOutput(out));
  } catch (e) {
    throw new NodeUnreachableError(node.name, `${node.host}:${node.port}`, (e as Error).message);
  }
}

/** A probe per node, at most `limit` at a time; each promise settles on its own. */
export function probeAllNodes(
  cfg: StackConfig,
  probe: (node: NodeSpec) => Promise<NodeDrift> = (n) => probeNodeDrift(cfg, n),
  limit = DRIFT_PROBE_CONCURRENCY,
): Map<string, Promise<NodeDrift>> {
  let running = 0;
  const queue: Array<() => void> = [];
  const slot = () => new Promise<void>((res) => (running < limit ? (running++, res()) : queue.push(() => (running++, res()))));
  const release = () => {
    running--;
    queue.shift()?.();
  };
  const out = new Map<string, Promise<NodeDrift>>();
  for (const node of cfg.nodes) {
    out.set(
      node.name,
      slot().then(() =>
        probe(node).then(
          (d) => (release(), d),
          (e: Error) => {
            release();
            throw new Error(
              `drift check: ${e.message}. The drift check reads every node over SSH during preview and up: ` +
                `bring the node back, remove it from nodes, or turn the check off with driftCheck: false`,
            );
          },
        ),
      ),
    );
  }
  return out;
}

/** Resolves when host:port answers with an SSH banner; rejects with the reason otherwise. */
export function sshBanner(host: string, port: number, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host, port });
    let buf = "";
    const end = (err?: Error) => {
      sock.destroy();
      clearTimeout(timer);
      if (err) reject(err);
      else resolve();
    };
    const timer = setTimeout(() => end(new Error(`no SSH answer within ${timeoutMs / 1000}s`)), timeoutMs);
    sock.on("data", (d) => {
      buf += d.toString("latin1");
      if (buf.startsWith("SSH-")) end();
      else if (buf.length > 255 || buf.includes("\n")) end(new Error("the port answers, but not with SSH"));
    });
    sock.on("error", (e) => end(e));
    sock.on("close", () => end(new Error("connection closed before the SSH banner")));
  });
}

/** Pulumi's marker for a secret value on the wire; hook arguments may carry it inside an Output. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

function unwrapSecretValue<T>(x: T): T {
  if (x !== null && typeof x === "object" && SECRET_SIG in (x as object)) return (x as unknown as { value: T }).value;
  return x;
}

/** A hook argument's plain value, whether given plain, as an Output, or in the secret envelope. */
function unwrap<T>(v: T | pulumi.Output<T> | undefined): Promise<T | undefined> {
  if (v === undefined) return Promise.resolve(undefined);
  if (!pulumi.Output.isInstance(v)) return Promise.resolve(unwrapSecretValue(v));
  return new Promise((resolve) => v.apply((x) => (resolve(unwrapSecretValue(x)), x)));
}

/** Name of the hook, as recorded in the state of every restore command that uses it. */
export const RESTORE_HOOK_NAME = "k3s-hardening-restore-needs-node";

/** The message when a node to restore cannot be reached: names the node and how to let it go. */
export function unreachableRestoreMessage(node: string, address: string, reason: string, urn: string): string {
  return (
    `node ${node} (${address}) cannot be reached (${reason}), so its pre-hardening files cannot be restored ` +
    `(restoreOnDestroy is true for it). If the machine is gone for good, let it go without a restore: ` +
    `pulumi state delete '${urn}' and run the command again. To keep that from happening, set ` +
    `restoreOnDestroy: false on a node before you decommission it.`
  );
}

let restoreHook: pulumi.ResourceHook | undefined;

/**
 * A before-delete hook for the restore commands: a node that does not answer on its SSH port fails the
 * delete with a message that says how to let the node go, instead of the provider's bare dial error.
 * Registered once per program run, so that it also runs for nodes no longer in the configuration.
 */
export function restoreReachabilityHook(): pulumi.ResourceHook {
  restoreHook ??= new pulumi.ResourceHook(RESTORE_HOOK_NAME, async (args) => {
    const conn = (await unwrap(args.oldInputs?.connection as Record<string, unknown> | undefined)) ?? {};
    const host = String(await unwrap(conn.host as string | undefined));
    const port = Number((await unwrap(conn.port as number | undefined)) ?? 22);
    const node = args.name.replace(/-restore$/, "");
    try {
      await sshBanner(host, port);
    } catch (e) {
      throw new Error(unreachableRestoreMessage(node, `${host}:${port}`, (e as Error).message, args.urn));
    }
  });
  return restoreHook;
}
