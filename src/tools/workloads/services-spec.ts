/**
 * @module tools/workloads/services-spec — what the services workload serves, shared by its image
 * (workloads/services.sh, workloads/services-lighttpd.conf) and its clients: the ports of
 * redis, lighttpd and dnsmasq, the name dnsmasq answers and the files lighttpd serves.
 * services-image.test.ts checks that the script and the configuration say the same.
 */

/** Redis's TCP port. */
export const REDIS_PORT = 6379;
/** lighttpd's TCP port. */
export const HTTP_PORT = 80;
/** dnsmasq's UDP (and TCP) port. */
export const DNS_PORT = 53;
/** The name dnsmasq answers with an A record. */
export const DNS_NAME = 'svc.ferry.test';
/** The address in that A record. */
export const DNS_ADDRESS = '10.9.8.7';
/** lighttpd's document root in the image. */
export const WWW_ROOT = '/srv/www';
/** The small static file's URL path. */
export const SMALL_PATH = '/index.html';
/** The small static file's content. */
export const SMALL_BODY = 'ferry services: ok\n';
/** The large static file's URL path. */
export const LARGE_PATH = '/64k.bin';
/** The large static file's size in bytes. */
export const LARGE_BYTES = 64 * 1024;

/** The large file's content: byte i is i mod 251, so a truncated or shifted body is told apart. */
export function largeBody(): Buffer {
  const b = Buffer.alloc(LARGE_BYTES);
  for (let i = 0; i < LARGE_BYTES; i++) b[i] = i % 251;
  return b;
}
