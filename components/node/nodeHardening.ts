/**
 * NodeHardening: places the hardened k3s files on one node over SSH and restarts k3s safely.
 * Content comes from the pure renderers; this component only wires it into a `remote.Command`.
 */
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { utils as sshUtils } from "ssh2";
import { NodeSpec, StackConfig } from "../config/types";
import { NodeBundle, renderNodeBundle } from "../k3s/render";
import { bundleDigest, renderApplyScript, renderRestoreScript, ScriptOptions, shq } from "./script";
import { K3sConfigDocument } from "../k3s/evaluate";
import { NODE_HARDENING_TYPE } from "../tokens";
import { NodeDrift } from "./drift";

export interface NodeHardeningArgs {
  /** The validated node this component hardens. */
  node: NodeSpec;
  /** The validated stack configuration (profile, rollout, secrets). */
  config: StackConfig;
  /**
   * The node's drift, probed before the commands are registered (undefined when `driftCheck` is off).
   * Its sync marker is part of the apply command: a drifted node is an update that puts it back.
   */
  drift?: Promise<NodeDrift>;
  /** Checks a node is reachable before its restore runs (set when the node has restoreOnDestroy). */
  restoreHook?: pulumi.ResourceHook;
}

export { NODE_HARDENING_TYPE };

/** The command that runs a script from stdin on the node, as root or through `sudo -n`. */
export function remoteShell(node: NodeSpec): string {
  return node.sudo ? "sudo -n /bin/bash -s" : "/bin/bash -s";
}

/** The apply command line: the script arrives on stdin, the sync marker (digits only) as its argument. */
export function applyCommand(node: NodeSpec, marker: string): string {
  if (!/^\d*$/.test(marker)) throw new Error(`node ${node.name}: invalid sync marker ${JSON.stringify(marker)}`);
  return marker === "" ? remoteShell(node) : `${remoteShell(node)} -- ${marker}`;
}

/**
 * Identity of the connection a command uses, from its non-secret parts: address, user, sudo, the pinned
 * host key and the public half of the private key. Recorded on the node by the apply; a restore compares it.
 */
export function connectionId(node: NodeSpec): string {
  let pub = "";
  const parsed = sshUtils.parseKey(node.privateKey.value);
  if (!(parsed instanceof Error)) pub = (Array.isArray(parsed) ? parsed[0] : parsed).getPublicSSH().toString("base64");
  const h = createHash("sha256");
  for (const part of [node.user, node.host, String(node.port), String(node.sudo), node.hostKey ?? "", pub]) h.update(part).update("\0");
  return h.digest("hex").slice(0, 16);
}

/** Runs a (non-secret) script given inline, ignoring stdin. */
function inlineScriptCommand(node: NodeSpec, script: string): string {
  const b64 = Buffer.from(script, "utf8").toString("base64");
  const bash = `/bin/bash -c "$(printf %s ${shq(b64)} | base64 -d)" k3s-hardening </dev/null`;
  return node.sudo ? `sudo -n ${bash}` : bash;
}

/** The SSH connection; the private key is always a secret. */
export function connectionFor(node: NodeSpec): command.types.input.remote.ConnectionArgs {
  const conn: command.types.input.remote.ConnectionArgs = {
    host: node.host,
    port: node.port,
    user: node.user,
    privateKey: pulumi.secret(node.privateKey.value),
    dialErrorLimit: 5,
    perDialTimeout: 15,
  };
  if (node.hostKey) conn.hostKey = node.hostKey;
  return conn;
}

/** The component's registered outputs (secrets masked). */
export interface NodeHardeningSummary {
  nodeName: string;
  role: "server" | "agent";
  benchmark: string;
  /** Hash of the files with secrets masked: shows reviewers which nodes change. */
  digest: string;
  /** Paths written on the node. */
  files: string[];
  /** The k3s config.yaml as a document, secrets replaced by a placeholder. */
  k3sConfig: K3sConfigDocument;
  auditLogPath?: string;
  auditPolicyPath?: string;
}

export class NodeHardening extends pulumi.ComponentResource {
  /** The remote command that applies the hardening; later nodes in the rollout depend on it. */
  public readonly command: command.remote.Command;
  /**
   * Holds the restore of the pre-hardening files as its delete (restoreOnDestroy), or nothing. It has no
   * create or update command, so creating, updating or (without restore) deleting it never opens an SSH
   * session: a node that is gone can be removed from the stack.
   */
  public readonly restore: command.remote.Command;
  /** What this node received; plain values known at construction, registered as the component's outputs. */
  public readonly summary: NodeHardeningSummary;

  constructor(name: string, args: NodeHardeningArgs, opts?: pulumi.ComponentResourceOptions) {
    super(NODE_HARDENING_TYPE, name, {}, opts);
    const { node, config } = args;
    const scriptOpts: ScriptOptions = {
      healthTimeoutSeconds: config.rollout.healthTimeoutSeconds,
      backupsToKeep: config.rollout.backupsToKeep,
      connectionId: connectionId(node),
    };
    // The review bundle (placeholder secrets) feeds outputs; the real one only the secret stdin.
    const review: NodeBundle = renderNodeBundle(config, node);
    const real: NodeBundle = renderNodeBundle(config, node, (s) => s);
    const script = renderApplyScript(real, scriptOpts);
    const hasSecret = real.files.some((f) => f.secret);

    const marker = args.drift ? pulumi.output(args.drift.then((d) => d.marker)) : pulumi.output("");

    this.command = new command.remote.Command(
      `${name}-apply`,
      {
        connection: connectionFor(node),
        create: marker.apply((m) => applyCommand(node, m)),
        stdin: hasSecret ? pulumi.secret(script) : script,
        // No delete: removing the stack or the node keeps the hardening (the restore command below, when
        // asked for, undoes it), and a replaced apply command can never undo its successor.
        addPreviousOutputInEnv: false,
        logging: "stdoutAndStderr",
      },
      // The rollout order is carried by the command itself: children do not inherit a parent's dependsOn.
      { parent: this, dependsOn: opts?.dependsOn, additionalSecretOutputs: hasSecret ? ["stdin"] : [] },
    );

    this.restore = new command.remote.Command(
      `${name}-restore`,
      {
        connection: connectionFor(node),
        delete: node.restoreOnDestroy ? inlineScriptCommand(node, renderRestoreScript(review, scriptOpts)) : undefined,
        addPreviousOutputInEnv: false,
        logging: "stdoutAndStderr",
      },
      {
        parent: this,
        // Deleted before the apply command, and its restore runs only after every apply of this run.
        dependsOn: [this.command],
        hooks: node.restoreOnDestroy && args.restoreHook ? { beforeDelete: [args.restoreHook] } : undefined,
      },
    );

    this.summary = {
      nodeName: node.name,
      role: node.role,
      benchmark: config.profile.benchmark,
      digest: bundleDigest(review),
      files: review.files.map((f) => f.path),
      k3sConfig: review.k3sConfig,
      auditLogPath: node.role === "server" ? config.profile.audit.logPath : undefined,
      auditPolicyPath: node.role === "server" ? config.profile.audit.policyPath : undefined,
    };
    // Plain values: stack policies read them from the component's outputs at preview time.
    this.registerOutputs({ ...this.summary });
  }
}
