/**
 * @module apps/agent/containers-protocol — the bodies and answers of `/v1/containers`, through
 * which the controller deploys containers on a node, lists and removes them.
 *
 * @example
 *   await agent.call<DeployAnswer>('POST', '/v1/containers', { name: 'web-1', image: 'ferry/loop:1', cpuMillis: 500 });
 */
import * as z from 'zod';

/** Docker's rule for container names (a letter or digit, then at least one of letters, digits, _ . -), at most 128 characters. */
export const CONTAINER_NAME_RULE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{1,127}$/;
/** The label that records a container's CPU request, in millicores. */
export const CPU_REQUEST_LABEL = 'ferry.request.cpu-millis';
/** The label that records a container's memory request, in MiB. */
export const MEMORY_REQUEST_LABEL = 'ferry.request.memory-mib';

const LABEL_KEY = /^ferry\.[a-zA-Z0-9][a-zA-Z0-9._/-]{0,121}$/;

/** Label keys: ferry.* only, ferry.request.* reserved, at most 64 (each issue names its key). */
function checkLabelKeys(labels: Record<string, string>, ctx: z.RefinementCtx): void {
  const keys = Object.keys(labels);
  if (keys.length > 64) ctx.addIssue({ code: 'custom', message: `at most 64 labels, got ${keys.length}` });
  for (const key of keys) {
    if (!LABEL_KEY.test(key)) ctx.addIssue({ code: 'custom', path: [key], message: 'a label key must start with "ferry." (then letters, digits, . _ / -, at most 128 characters)' });
    else if (key.startsWith('ferry.request.')) ctx.addIssue({ code: 'custom', path: [key], message: 'ferry.request.* labels are set from cpuMillis and memoryMiB' });
  }
}

/** `POST /v1/containers` body. */
export const DeployRequest = z.strictObject({
  name: z.string().regex(CONTAINER_NAME_RULE, 'a container name: a letter or digit, then at least one letter, digit, _ . or -, at most 128 characters'),
  image: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9._/:@-]{0,254}$/, 'an image reference such as ferry/loop:1'),
  env: z.array(z.string().max(4096).regex(/^[A-Za-z_][A-Za-z0-9_]*=/, 'NAME=value')).max(64).optional(),
  labels: z.record(z.string(), z.string().max(4096)).superRefine(checkLabelKeys).optional(),
  /** CPU the container asks for, in millicores: recorded for the scheduler, not enforced. */
  cpuMillis: z.number().int().min(0).max(1_000_000).optional(),
  /** Memory the container asks for, in MiB: recorded for the scheduler, not enforced. */
  memoryMiB: z.number().int().min(0).max(16 * 1024 * 1024).optional(),
});
/** `POST /v1/containers` body. */
export type DeployRequest = z.infer<typeof DeployRequest>;

/** `POST /v1/containers` and `DELETE /v1/containers/:name` answer. */
export const DeployAnswer = z.strictObject({ name: z.string(), id: z.string() });
/** `POST /v1/containers` and `DELETE /v1/containers/:name` answer. */
export type DeployAnswer = z.infer<typeof DeployAnswer>;

/** One entry of `GET /v1/containers`; `labels` are the container's ferry.* labels. */
export const ContainerEntry = z.strictObject({
  name: z.string(),
  id: z.string(),
  image: z.string(),
  running: z.boolean(),
  labels: z.record(z.string(), z.string()),
});
/** One entry of `GET /v1/containers`. */
export type ContainerEntry = z.infer<typeof ContainerEntry>;

/** `GET /v1/containers` answer. */
export const ContainerList = z.array(ContainerEntry);
