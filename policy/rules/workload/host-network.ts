/** CIS 5.2.5 (topic pod.host-network): pods do not share the host's network namespace. */
import { hostNamespaceRule } from "./host-namespace";

export const podHostNetwork = hostNamespaceRule("cis-pod-host-network", "pod.host-network", "hostNetwork", "network");
