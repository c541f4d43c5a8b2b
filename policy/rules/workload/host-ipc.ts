/** CIS 5.2.4 (topic pod.host-ipc): pods do not share the host's IPC namespace. */
import { hostNamespaceRule } from "./host-namespace";

export const podHostIpc = hostNamespaceRule("cis-pod-host-ipc", "pod.host-ipc", "hostIPC", "IPC");
