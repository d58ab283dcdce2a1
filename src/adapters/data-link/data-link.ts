/**
 * @module adapters/data-link/data-link — the data link between two agents, as its users see it: a TCP
 * client that sends trees and streams, and a server that receives them into targets the
 * receiver chooses. One connection carries one transfer session; link-client and
 * link-server implement the two halves.
 *
 * Session on the wire: HELLO → ACK {accepted}, then for each root STREAM_BEGIN {root, kind},
 * (ENTRY, DATA…, ENTRY_END)… or DATA…, then STREAM_END {entries, rawBytes, sha256?}; then
 * END → ACK {files, rawBytes, wireBytes}. The server answers the first failure with ERROR
 * {code, message} and closes; a client that fails on its side sends ERROR and closes too.
 */
export type {
  DataLink, DataLinkClientOptions, DataLinkServer, DataLinkServerOptions, LinkFaults, LinkProgress, TreeSelection,
} from './data-link-types.ts';
export { connectDataLink } from './link-client.ts';
export { createDataLinkServer } from './link-server.ts';
export type { Authorize, ReceivingSession, DataLinkTarget, SessionOutcome } from './receiver.ts';
export type { Hello, TransferSummary } from './messages.ts';
export { LINK_DEFAULTS, ticketMatches } from './link-common.ts';
