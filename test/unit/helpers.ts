/**
 * Builders for valid configurations; each test changes one thing.
 */
import { RawStackConfig, validateStackConfig } from "../../components/config/validate";
import { StackConfig } from "../../components/config/types";

/** Shaped like a key so validation accepts it; not a key. */
export const TEST_PRIVATE_KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nTEST-ONLY-NOT-A-REAL-KEY\n-----END OPENSSH PRIVATE KEY-----\n";
export const TEST_HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPccjOlcXIrxIIJsiml2Ovgly3A69oGwGp976UutmiUP";

export function rawNode(name: string, role: "server" | "agent", i: number): Record<string, unknown> {
  return { name, host: `10.99.0.${i}`, role, hostKey: TEST_HOST_KEY };
}

export function rawConfig(values: Record<string, unknown> = {}, nodes?: unknown[]): RawStackConfig {
  return {
    values: {
      cluster: "test",
      sshPrivateKey: TEST_PRIVATE_KEY,
      nodes: nodes ?? [rawNode("cp-1", "server", 11), rawNode("cp-2", "server", 12), rawNode("cp-3", "server", 13), rawNode("wk-1", "agent", 21), rawNode("wk-2", "agent", 22)],
      ...values,
    },
    secretKeys: new Set(["sshPrivateKey", "k3sToken"]),
    source: "engine",
  };
}

export function config(values: Record<string, unknown> = {}, nodes?: unknown[]): StackConfig {
  return validateStackConfig(rawConfig(values, nodes));
}
