/**
 * Constructs the pack: resolves the benchmark (rules/config.ts resolvePackBenchmark) and builds the
 * policies (pack.ts). Constructing the PolicyPack starts the analyzer's gRPC server and prints its port,
 * as the engine expects. Loaded by index.ts.
 */
import { PolicyPack } from "@pulumi/policy";
import { buildPackArgs, PACK_NAME } from "./pack";
import { resolvePackBenchmark } from "./rules/config";

new PolicyPack(PACK_NAME, buildPackArgs(resolvePackBenchmark(process.env)));
