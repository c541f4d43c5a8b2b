/**
 * Reading the raw stack configuration: from the Pulumi engine (the program) or straight from
 * `Pulumi.<stack>.yaml` (the render command, which runs without the CLI). Both end in validateStackConfig.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { RawStackConfig } from "./validate";

/** A config value as the engine passes it: JSON when it parses, else the plain string. */
export function parseValue(v: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

/**
 * The project's configuration from the engine. `allConfig` holds every `project:key`; structured values are
 * JSON. The engine lists secret keys (nested secure values make the whole key secret).
 */
export function rawConfigFromEngine(project: string): RawStackConfig {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const runtimeConfig = require("@pulumi/pulumi/runtime/config") as {
    allConfig(): Record<string, string>;
    isConfigSecret?(k: string): boolean;
  };
  const values: Record<string, unknown> = {};
  const secretKeys = new Set<string>();
  for (const [fullKey, v] of Object.entries(runtimeConfig.allConfig())) {
    if (!fullKey.startsWith(`${project}:`)) continue;
    const key = fullKey.slice(project.length + 1);
    values[key] = parseValue(v);
    if (runtimeConfig.isConfigSecret?.(fullKey)) secretKeys.add(key);
  }
  return { values, secretKeys, source: "engine" };
}

function containsSecure(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(containsSecure);
  if (typeof v === "object" && v !== null) {
    const o = v as Record<string, unknown>;
    if (Object.keys(o).length === 1 && typeof o.secure === "string") return true;
    return Object.values(o).some(containsSecure);
  }
  return false;
}

export interface StackFile {
  project: string;
  stack: string;
  /** Config keys of other namespaces (e.g. `kubernetes:`, `minio:`), as written. */
  providerConfig: Record<string, unknown>;
  raw: RawStackConfig;
}

/** Read `Pulumi.yaml` and `Pulumi.<stack>.yaml` from a project directory, without the engine. */
export function readStackFile(projectDir: string, stack: string): StackFile {
  const projectFile = path.join(projectDir, "Pulumi.yaml");
  const stackFile = path.join(projectDir, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(projectFile)) throw new Error(`${projectFile} not found: run from the project directory`);
  if (!fs.existsSync(stackFile)) throw new Error(`--stack ${stack}: ${stackFile} not found`);
  const project = (YAML.parse(fs.readFileSync(projectFile, "utf8")) as { name?: string }).name;
  if (!project) throw new Error(`${projectFile} has no name`);
  let doc: unknown;
  try {
    doc = YAML.parse(fs.readFileSync(stackFile, "utf8"));
  } catch (e) {
    throw new Error(`${stackFile}: invalid YAML: ${(e as Error).message}`);
  }
  const config = ((doc as { config?: Record<string, unknown> } | null)?.config ?? {}) as Record<string, unknown>;
  const values: Record<string, unknown> = {};
  const secretKeys = new Set<string>();
  const providerConfig: Record<string, unknown> = {};
  for (const [fullKey, v] of Object.entries(config)) {
    if (fullKey.startsWith(`${project}:`)) {
      const key = fullKey.slice(project.length + 1);
      values[key] = v;
      if (containsSecure(v)) secretKeys.add(key);
    } else {
      providerConfig[fullKey] = v;
    }
  }
  return { project, stack, providerConfig, raw: { values, secretKeys, source: "file", baseDir: projectDir } };
}
