/**
 * @module domain/scheduler/plugins/default-reserve — reserve plugin: holds the request's room on the
 * chosen node in the tick's reservation book, so the next placement of the tick sees it; the
 * controller unreserves when the bind fails.
 */
import type { ReservePlugin } from '../framework.ts';

/** The plugin's name. */
export const NAME = 'default-reserve';

/** Reserve: book the request on the node; unreserve: release it. */
export const defaultReserve: ReservePlugin = {
  name: NAME,
  reserve(book, req, node) {
    book.reserve(node, req);
    return undefined;
  },
  unreserve(book, req) {
    book.unreserve(req.name);
  },
};
