/**
 * The bin folder of a tool the tests run, built from official sources by one of the project's build
 * scripts (cached per version): the folder named by `envVar` when it is set (CI builds first and exports
 * it), else the last line the script prints.
 */
import { execFileSync } from "node:child_process";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..");

export function builtBinFolder(envVar: string, script: string): string {
  const given = process.env[envVar];
  if (given) return given;
  return execFileSync(path.join(ROOT, "scripts", script), { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim().split("\n").pop()!;
}
