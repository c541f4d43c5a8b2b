/**
 * Entry point of the CrossGuard pack (`pulumi preview --policy-pack policy`).
 *
 * The language host compiles this file with ts-node and full type checking, and would type-check every
 * TypeScript module the pack requires the same way: about 10 s for the pack and the CIS catalog on a
 * 2-core runner, paid again on every preview and update. So this file has no imports: it loads the
 * pack's own modules (policy/ and the shared components/) transpile-only, then runs main.ts. Types are
 * checked once, where it is cheap: `tsc -p policy/tsconfig.json` in CI. See docs/policy.md.
 */
/* eslint-disable @typescript-eslint/no-var-requires */
const nodePath: typeof import("path") = require("path");
const nodeFs: typeof import("fs") = require("fs");
// Untyped on purpose: its declarations alone would cost the host seconds of type checking.
const typescript = require("typescript");

const sources = [__dirname, nodePath.resolve(__dirname, "..", "components")].map((d) => d + nodePath.sep);
const extensions = require.extensions as unknown as Record<string, (module: NodeModule, filename: string) => void>;
const hostLoader = extensions[".ts"];

extensions[".ts"] = (module, filename) => {
  const ours = sources.some((d) => filename.startsWith(d)) && !filename.includes(`${nodePath.sep}node_modules${nodePath.sep}`);
  if (!ours && hostLoader) return hostLoader(module, filename);
  const { outputText } = typescript.transpileModule(nodeFs.readFileSync(filename, "utf8"), {
    fileName: filename,
    compilerOptions: { module: typescript.ModuleKind.CommonJS, target: typescript.ScriptTarget.ES2022, esModuleInterop: true },
  });
  (module as unknown as { _compile(code: string, filename: string): void })._compile(outputText, filename);
};

require("./main");
