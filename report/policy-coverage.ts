/**
 * Which CIS section-5 controls the project's policy pack enforces at deploy time.
 *
 * kube-bench reports most section-5 (policies) checks as manual, so they always WARN; the report shows
 * those that the policy pack enforces as "covered by the policy pack". They are named by catalog topic,
 * never by CIS id, because ids move between benchmark versions.
 */
import { Benchmark, Control, Topic } from "../components/cis";
import { RESOURCE_RULES } from "../policy/rules/index";
import { STACK_RULES } from "../policy/stack/index";

/** A catalog topic, or every topic under a prefix (`pod.*`). */
export type TopicPattern = Topic | `${string}.*`;

/**
 * Topics of the controls the policy pack enforces, read from the pack's own rules, so the report never
 * claims coverage for a control the pack does not check.
 */
export const POLICY_PACK_TOPICS: readonly Topic[] = [
  ...new Set([...RESOURCE_RULES, ...STACK_RULES].flatMap((rule) => (rule.topic ? [rule.topic] : []))),
];

/** Whether `topic` matches `pattern` (`pod.*` matches every `pod.` topic; anything else matches itself). */
export function topicMatches(pattern: TopicPattern, topic: string): boolean {
  if (pattern.endsWith(".*")) return topic.startsWith(pattern.slice(0, -1));
  return topic === pattern;
}

/** Whether any of `patterns` matches the control's topic. */
export function controlMatches(control: Control, patterns: readonly TopicPattern[]): boolean {
  const topic = control.topic;
  return topic !== undefined && patterns.some((p) => topicMatches(p, topic));
}

/** The section-5 (kube-bench target `policies`) controls of `bench` that the policy pack enforces. */
export function policyPackControls(bench: Benchmark): Control[] {
  return bench.controls.filter((c) => c.target === "policies" && controlMatches(c, POLICY_PACK_TOPICS));
}
