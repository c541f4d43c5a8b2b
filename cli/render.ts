/**
 * `npm run render -- --stack <name> --out <dir>`: writes every file a stack would place on each node
 * (under <dir>/nodes/<node>/<path>) and every Kubernetes object (under <dir>/manifests/), without the
 * Pulumi CLI or a cluster. Secrets appear as placeholders.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { readStackFile } from "../components/config/load";
import { ConfigError, validateStackConfig } from "../components/config/validate";
import { validateCapabilities } from "../components/config/capabilities";
import { checkPredictedCompliance, predictionLines, predictStack } from "../components/k3s/compliance";
import { locksEveryDefaultServiceAccount } from "../components/serviceaccounts/render";
import { renderNodeBundle, SECRET_PLACEHOLDER } from "../components/k3s/render";
import { renderApplyScript, shq } from "../components/node/script";
import { renderManifests, stackPods } from "./manifests";

function usage(): never {
  process.stderr.write("usage: npm run render -- --stack <name> --out <dir> [--project <dir>]\n");
  process.exit(2);
}

function main(): number {
  let values: { stack?: string; out?: string; project?: string };
  try {
    values = parseArgs({ options: { stack: { type: "string" }, out: { type: "string" }, project: { type: "string" } } }).values;
  } catch (e) {
    process.stderr.write(`render: ${(e as Error).message}\n`);
    usage();
  }
  if (!values.stack || !values.out) usage();
  const projectDir = path.resolve(values.project ?? process.cwd());
  const stackFile = readStackFile(projectDir, values.stack);
  const cfg = validateStackConfig(stackFile.raw);
  // Everything is validated before the first file is written.
  const caps = validateCapabilities(stackFile.raw, cfg);
  const compliance = checkPredictedCompliance(cfg);
  const out = path.resolve(values.out);
  let count = 0;
  for (const node of cfg.nodes) {
    const bundle = renderNodeBundle(cfg, node);
    const base = path.join(out, "nodes", node.name);
    for (const f of bundle.files) {
      const target = path.join(base, f.path);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, f.content, { mode: 0o600 });
      count++;
    }
    for (const d of bundle.directories) fs.mkdirSync(path.join(base, d), { recursive: true, mode: 0o700 });
    // The script the node would run, for review (placeholders instead of secrets). Run by mistake, it
    // would write the placeholder as the k3s token: with a placeholder in it, it refuses to run.
    const script = renderApplyScript(bundle, { healthTimeoutSeconds: cfg.rollout.healthTimeoutSeconds, backupsToKeep: cfg.rollout.backupsToKeep });
    const withPlaceholders = bundle.files.filter((f) => f.content.includes(SECRET_PLACEHOLDER)).map((f) => f.path);
    const guard = withPlaceholders.length
      ? `# Rendered for review by \`npm run render\`: ${withPlaceholders.join(", ")} hold(s) secret placeholders.\n` +
        `echo ${shq(`k3s-hardening[${node.name}]: this script was rendered for review and holds secret placeholders (${withPlaceholders.join(", ")}); apply the stack with pulumi up`)} >&2\nexit 1\n`
      : "";
    const afterShebang = script.startsWith("#!") ? script.indexOf("\n") + 1 : 0;
    fs.writeFileSync(path.join(out, "nodes", `${node.name}.apply.sh`), script.slice(0, afterShebang) + guard + script.slice(afterShebang), { mode: 0o600 });
  }
  const manifests = renderManifests(cfg, stackFile, caps);
  for (const m of manifests) {
    const target = path.join(out, "manifests", m.file);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, m.content);
  }
  for (const w of [...cfg.warnings, ...caps.warnings]) process.stderr.write(`warning: ${w}\n`);
  for (const role of ["server", "agent"] as const) {
    for (const f of compliance.failures[role]) process.stderr.write(`warning: predicted kube-bench FAIL on ${role} nodes: ${f.id} ${f.title}\n`);
  }
  const prediction = predictStack(cfg, {
    defaultServiceAccountsLocked: locksEveryDefaultServiceAccount(caps.serviceAccounts),
    pods: caps.kubernetes.enabled ? stackPods(cfg, caps) : [],
  });
  for (const line of predictionLines(prediction)) process.stdout.write(`${line}\n`);
  process.stdout.write(`rendered ${count} node files for ${cfg.nodes.length} nodes and ${manifests.length} manifests into ${out}\n`);
  return 0;
}

try {
  process.exitCode = main();
} catch (e) {
  if (e instanceof ConfigError) process.stderr.write(`render: ${e.message}\n`);
  else process.stderr.write(`render: ${(e as Error).message}\n`);
  process.exitCode = 2;
}
