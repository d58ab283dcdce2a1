/**
 * @module wire — the data link wire layer: a TCP data link that carries directory trees
 * (overlayfs upper directories included) and byte streams between agents, and the path
 * guard it uses. Other modules import from here only.
 */
export {
  connectDataLink,
  createDataLinkServer,
  LINK_DEFAULTS,
  ticketMatches,
  type Authorize,
  type DataLink,
  type DataLinkClientOptions,
  type DataLinkServer,
  type DataLinkServerOptions,
  type DataLinkSession,
  type DataLinkTarget,
  type Hello,
  type LinkFaults,
  type LinkProgress,
  type SessionOutcome,
  type TransferSummary,
} from './data-link.ts';
export { safeRelativePath } from './path-guard.ts';
