/**
 * Runs the pack's CrossGuard policies in-process the way @pulumi/policy's analyzer server does:
 * props wrapped in the SDK's unknown-checking proxy, `notApplicable` throwing, the SDK's
 * UnknownValueError turned into an advisory "can't run during preview" note, other errors surfacing.
 * policy/pack.ts only imports types from @pulumi/policy, so building the policies needs no install;
 * the proxy comes from policy/node_modules (tests needing it skip when it is absent).
 */
import * as path from "path";
import { loadPolicySdk, POLICY_DIR, PolicySdk, remediationProps } from "./helpers";

export interface Policy {
  name: string;
  description: string;
  displayName?: string;
  severity?: string;
  enforcementLevel?: string;
  framework?: { name: string; version: string; reference: string; specification: string };
  remediationSteps?: string;
  tags?: string[];
  configSchema?: { properties: { [key: string]: any }; required?: string[] };
  validateResource?: (args: any, report: (message: string, urn?: string) => void) => void | Promise<void>;
  remediateResource?: (args: any) => any;
  validateStack?: (args: any, report: (message: string, urn?: string) => void) => void | Promise<void>;
}

interface PackModule {
  buildPolicies(choice: { id: string; source: string }): Policy[];
  buildPackArgs(choice: { id: string; source: string }): { policies: Policy[]; displayName?: string; description?: string };
  PACK_NAME: string;
}

// eslint-disable-next-line @typescript-eslint/no-var-requires
export const pack = require(path.join(POLICY_DIR, "pack")) as PackModule;

export function policiesFor(benchmark = "k3s-cis-1.7"): Policy[] {
  return pack.buildPolicies({ id: benchmark, source: "test" });
}

export function policyNamed(name: string, benchmark = "k3s-cis-1.7"): Policy {
  const p = policiesFor(benchmark).find((x) => x.name === name);
  if (!p) throw new Error(`no policy ${name}`);
  return p;
}

class NotApplicable extends Error {
  constructor(public readonly reason: string) {
    super(reason);
  }
}

export interface RunResult {
  violations: { message: string; urn?: string }[];
  notApplicable?: string;
  /** The advisory note the SDK emits when a value is unknown during preview. */
  advisory?: string;
}

export interface ResourceArgsInput {
  type: string;
  props: any;
  name?: string;
  config?: { [key: string]: unknown };
  providerNamespace?: string;
  /** Wrap props in the SDK's unknown-checking proxy (needs policy/node_modules). */
  proxy?: PolicySdk;
  /** With `proxy`: wrap them as the SDK's Remediate handler does (secrets-preserving proxy inside). */
  remediation?: boolean;
}

export function resourceArgs(input: ResourceArgsInput): any {
  const name = input.name ?? "web";
  const props = !input.proxy ? input.props : input.remediation ? remediationProps(input.proxy, input.props) : input.proxy.unknownCheckingProxy(input.props);
  return {
    type: input.type,
    props,
    urn: `urn:pulumi:dev::k3s-cis-hardening::${input.type}::${name}`,
    name,
    opts: { protect: false, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] },
    stackTags: new Map<string, string>(),
    isType: () => false,
    asType: () => undefined,
    getConfig: () => input.config ?? {},
    notApplicable: (reason?: string) => {
      throw new NotApplicable(reason ?? "");
    },
    ...(input.providerNamespace !== undefined
      ? { provider: { type: "pulumi:providers:kubernetes", props: { namespace: input.providerNamespace }, urn: "urn:provider", name: "k8s" } }
      : {}),
  };
}

async function settle(run: () => void | Promise<void>, out: RunResult, sdk?: PolicySdk): Promise<RunResult> {
  try {
    await run();
  } catch (e) {
    if (e instanceof NotApplicable) out.notApplicable = e.reason;
    else if (sdk && e instanceof sdk.UnknownValueError) out.advisory = `can't run during preview: ${e.message}`;
    else throw e;
  }
  return out;
}

export async function runResourcePolicy(policy: Policy, input: ResourceArgsInput): Promise<RunResult> {
  const out: RunResult = { violations: [] };
  const args = resourceArgs(input);
  return settle(() => policy.validateResource!(args, (message, urn) => out.violations.push({ message, urn })), out, input.proxy);
}

export interface StackResourceInput {
  type: string;
  name: string;
  props: any;
  dependsOn?: string[];
  metadataFrom?: string;
}

export async function runStackPolicy(policy: Policy, resources: StackResourceInput[], config: { [key: string]: unknown } = {}, sdk?: PolicySdk): Promise<RunResult> {
  const byName = new Map<string, any>();
  const urnOf = (n: string) => `urn:pulumi:dev::k3s-cis-hardening::x::${n}`;
  const built = resources.map((r) => {
    const res = {
      type: r.type,
      props: sdk ? sdk.unknownCheckingProxy(r.props) : r.props,
      urn: urnOf(r.name),
      name: r.name,
      opts: {},
      dependencies: [] as any[],
      propertyDependencies: {} as { [k: string]: any[] },
      isType: () => false,
      asType: () => undefined,
    };
    byName.set(r.name, res);
    return { res, r };
  });
  for (const { res, r } of built) {
    res.dependencies = [...(r.dependsOn ?? []), ...(r.metadataFrom ? [r.metadataFrom] : [])].map((n) => byName.get(n));
    if (r.metadataFrom) res.propertyDependencies.metadata = [byName.get(r.metadataFrom)];
  }
  const out: RunResult = { violations: [] };
  const args = {
    resources: built.map((b) => b.res),
    getConfig: () => config,
    stackTags: new Map(),
    notApplicable: (reason?: string) => {
      throw new NotApplicable(reason ?? "");
    },
  };
  return settle(() => policy.validateStack!(args, (message, urn) => out.violations.push({ message, urn })), out, sdk);
}

export { loadPolicySdk };
