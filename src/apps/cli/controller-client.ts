/**
 * @module apps/cli/controller-client — how the CLI finds the controller: --controller URL,
 * FERRY_CONTROLLER_URL, or loopback on controller.port; the token from FERRY_TOKEN, a token
 * file, or the test bed's.
 */
import { existsSync, readFileSync } from 'node:fs';
import { ControlClient } from '../../adapters/http-api/client.ts';
import { loadConfig } from '../../core/config.ts';
import { clusterToken, defaultClusterFile, operatorTls, readCluster } from './cluster.ts';

/** Options every controller command takes. */
export interface ControllerFlags {
  controller?: string;
  tokenFile?: string;
}

/** The token the CLI sends to the controller. */
export function controllerToken(o: ControllerFlags): string | undefined {
  if (o.tokenFile) return readFileSync(o.tokenFile, 'utf8').trim();
  const env = process.env['FERRY_TOKEN']?.trim();
  if (env) return env;
  const file = defaultClusterFile();
  return existsSync(file) ? clusterToken(readCluster(file)) : undefined;
}

/** A client of the controller. */
export function controllerClient(o: ControllerFlags, timeoutMs = 600_000): ControlClient {
  const file = defaultClusterFile();
  const tls = operatorTls(existsSync(file) ? readCluster(file) : undefined);
  const url = o.controller ?? process.env['FERRY_CONTROLLER_URL'] ?? `${tls ? 'https' : 'http'}://127.0.0.1:${loadConfig().controller.port}`;
  return new ControlClient(url, { token: controllerToken(o), tls }, timeoutMs, 'controller (`ferry controller`)');
}
