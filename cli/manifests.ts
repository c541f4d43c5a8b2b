/**
 * Kubernetes objects the stack would create, for the render command. Each capability adds its objects here.
 */
import { StackConfig } from "../components/config/types";
import { StackFile } from "../components/config/load";

export interface RenderedManifest {
  /** Path under <out>/manifests/. */
  file: string;
  content: string;
}

export function renderManifests(_cfg: StackConfig, _stack: StackFile): RenderedManifest[] {
  return [];
}
