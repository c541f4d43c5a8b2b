/**
 * Entry point of the CrossGuard pack (`pulumi preview --policy-pack policy`). The benchmark is fixed here,
 * at load: see rules/config.ts resolvePackBenchmark and docs/policy.md. Constructing the PolicyPack
 * starts the analyzer's gRPC server and prints its port, as the engine expects.
 */
import { PolicyPack } from "@pulumi/policy";
import { buildPackArgs, PACK_NAME } from "./pack";
import { resolvePackBenchmark } from "./rules/config";

new PolicyPack(PACK_NAME, buildPackArgs(resolvePackBenchmark(process.env)));
