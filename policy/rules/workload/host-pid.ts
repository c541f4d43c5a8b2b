/** CIS 5.2.3 (topic pod.host-pid): pods do not share the host's process ID namespace. */
import { hostNamespaceRule } from "./host-namespace";

export const podHostPid = hostNamespaceRule("cis-pod-host-pid", "pod.host-pid", "hostPID", "process ID");
