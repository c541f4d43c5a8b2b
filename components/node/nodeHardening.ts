/**
 * NodeHardening: places the hardened k3s files on one node over SSH and restarts k3s safely.
 * Content comes from the pure renderers; this component only wires it into a `remote.Command`.
 */
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { NodeSpec, StackConfig } from "../config/types";
import { NodeBundle, renderNodeBundle } from "../k3s/render";
import { bundleDigest, renderApplyScript, renderDestroyScript, shq } from "./script";
import { K3sConfigDocument } from "../k3s/evaluate";
import { NODE_HARDENING_TYPE } from "../tokens";

export interface NodeHardeningArgs {
  /** The validated node this component hardens. */
  node: NodeSpec;
  /** The validated stack configuration (profile, rollout, secrets). */
  config: StackConfig;
}

export { NODE_HARDENING_TYPE };

/** The command that runs a script from stdin on the node, as root or through `sudo -n`. */
export function remoteShell(node: NodeSpec): string {
  return node.sudo ? "sudo -n /bin/bash -s" : "/bin/bash -s";
}

/** Runs a (non-secret) script given inline, ignoring stdin (which Pulumi also feeds to delete). */
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
  /** The remote command; later nodes in the rollout depend on it. */
  public readonly command: command.remote.Command;
  /** What this node received; plain values known at construction, registered as the component's outputs. */
  public readonly summary: NodeHardeningSummary;

  constructor(name: string, args: NodeHardeningArgs, opts?: pulumi.ComponentResourceOptions) {
    super(NODE_HARDENING_TYPE, name, {}, opts);
    const { node, config } = args;
    const scriptOpts = { healthTimeoutSeconds: config.rollout.healthTimeoutSeconds, backupsToKeep: config.rollout.backupsToKeep };
    // The review bundle (placeholder secrets) feeds outputs; the real one only the secret stdin.
    const review: NodeBundle = renderNodeBundle(config, node);
    const real: NodeBundle = renderNodeBundle(config, node, (s) => s);
    const script = renderApplyScript(real, scriptOpts);
    const hasSecret = real.files.some((f) => f.secret);

    this.command = new command.remote.Command(
      `${name}-apply`,
      {
        connection: connectionFor(node),
        create: remoteShell(node),
        stdin: hasSecret ? pulumi.secret(script) : script,
        delete: inlineScriptCommand(node, renderDestroyScript(review, scriptOpts, config.restoreOnDestroy)),
        addPreviousOutputInEnv: false,
        logging: "stdoutAndStderr",
      },
      // The rollout order is carried by the command itself: children do not inherit a parent's dependsOn.
      { parent: this, dependsOn: opts?.dependsOn, additionalSecretOutputs: hasSecret ? ["stdin"] : [] },
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
