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

export interface NodeHardeningArgs {
  /** The validated node this component hardens. */
  node: NodeSpec;
  /** The validated stack configuration (profile, rollout, secrets). */
  config: StackConfig;
}

/** Type token; stack policies find hardened nodes by it. */
export const NODE_HARDENING_TYPE = "k3s-cis:node:NodeHardening";

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

export class NodeHardening extends pulumi.ComponentResource {
  /** The remote command; later nodes in the rollout depend on it. */
  public readonly command: command.remote.Command;
  public readonly nodeName: pulumi.Output<string>;
  public readonly role: pulumi.Output<string>;
  public readonly benchmark: pulumi.Output<string>;
  /** Hash of the files with secrets masked: shows reviewers which nodes change. */
  public readonly digest: pulumi.Output<string>;
  /** Paths written on the node. */
  public readonly files: pulumi.Output<string[]>;
  /** The k3s config.yaml as a document, secrets replaced by a placeholder (read by the stack policies). */
  public readonly k3sConfig: pulumi.Output<K3sConfigDocument>;
  public readonly auditLogPath: pulumi.Output<string | undefined>;
  public readonly auditPolicyPath: pulumi.Output<string | undefined>;

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
      { parent: this, additionalSecretOutputs: hasSecret ? ["stdin"] : [] },
    );

    this.nodeName = pulumi.output(node.name);
    this.role = pulumi.output(node.role);
    this.benchmark = pulumi.output(config.profile.benchmark);
    this.digest = pulumi.output(bundleDigest(review));
    this.files = pulumi.output(review.files.map((f) => f.path));
    this.k3sConfig = pulumi.output(review.k3sConfig) as unknown as pulumi.Output<K3sConfigDocument>;
    this.auditLogPath = pulumi.output(node.role === "server" ? config.profile.audit.logPath : undefined);
    this.auditPolicyPath = pulumi.output(node.role === "server" ? config.profile.audit.policyPath : undefined);
    this.registerOutputs({
      nodeName: this.nodeName,
      role: this.role,
      benchmark: this.benchmark,
      digest: this.digest,
      files: this.files,
      k3sConfig: this.k3sConfig,
      auditLogPath: this.auditLogPath,
      auditPolicyPath: this.auditPolicyPath,
    });
  }
}
