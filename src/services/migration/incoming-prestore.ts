/**
 * @module services/migration/incoming-prestore — what a destination takes from elsewhere than the
 * checkpoint: a pre-stored migration's object store and the pack fetcher that fills its page
 * store while the rounds go on, and the container's image, loaded from the data link or from
 * the store, whose outcome create checks. The transaction (destination.ts) decides when.
 */
import { PassThrough } from 'node:stream';
import type { Config } from '../../core/config.ts';
import { FerryError, asFerryError } from '../../core/errors.ts';
import type { Engine } from '../../adapters/docker/engine-port.ts';
import type { ObjectStore } from '../../adapters/object-store/object-store.ts';
import type { PageStore } from '../../adapters/process-memory/page-store.ts';
import { loadStoredImage, storedImage } from '../prestore/image-store.ts';
import { PackFetcher, type FetchCounts } from './pack-fetcher.ts';

/** The object stores and pack fetches of every pre-stored incoming migration, by migration id. */
export class IncomingPrestore {
  private readonly config: Config;
  private readonly store: (() => Promise<ObjectStore>) | undefined;
  private readonly objectStores = new Map<string, ObjectStore>();
  private readonly fetchers = new Map<string, PackFetcher>();

  constructor(config: Config, store: (() => Promise<ObjectStore>) | undefined) {
    this.config = config;
    this.store = store;
  }

  /** The object store of a pre-stored migration: this host's own, which must be the one the source names. */
  async sameStore(where: string): Promise<ObjectStore> {
    if (!this.store) throw new FerryError('FERRY_ERR_CONFIG', 'this agent has no object store configured (section store); pre-storage needs the same store on both hosts');
    const store = await this.store();
    if (store.where !== where) throw new FerryError('FERRY_ERR_CONFIG', `the source pre-stores into ${where}, but this host's object store is ${store.where}; configure the same store on both hosts`);
    return store;
  }

  /** Holds the store a migration pre-stores into (at prepare). */
  hold(id: string, store: ObjectStore): void {
    this.objectStores.set(id, store);
  }

  /** The store a migration pre-stores into, if it does. */
  storeOf(id: string): ObjectStore | undefined {
    return this.objectStores.get(id);
  }

  /** Starts fetching into a migration's page store, when it is pre-stored (at create). */
  fetchInto(id: string, pages: PageStore): void {
    const store = this.objectStores.get(id);
    if (store) this.fetchers.set(id, new PackFetcher(store, pages, this.config.migration.prestore.fetchConcurrency));
  }

  /** Queues packs the source stored during a round; how many. */
  add(id: string, packs: readonly string[]): { queued: number } {
    const fetcher = this.fetchers.get(id);
    if (!fetcher) throw new FerryError('FERRY_ERR_PROTOCOL', `migration ${id} is not pre-stored; it takes no packs`);
    fetcher.add(packs);
    return { queued: packs.length };
  }

  /** Waits for every queued pack of a pre-stored migration; what was fetched and the wait, or undefined when it is not pre-stored. */
  async settled(id: string): Promise<(FetchCounts & { waitMs: number }) | undefined> {
    const fetcher = this.fetchers.get(id);
    if (!fetcher) return undefined;
    const waitFrom = Date.now();
    await fetcher.settled();
    return { ...fetcher.counts, waitMs: Date.now() - waitFrom };
  }

  /** Stops a migration's fetches and lets go of its store. */
  drop(id: string): void {
    this.fetchers.get(id)?.stop();
    this.fetchers.delete(id);
    this.objectStores.delete(id);
  }
}

/** The image loads of incoming migrations: each one's outcome is kept for create to check (never left unhandled). */
export class IncomingImages {
  private readonly engine: Engine;
  private readonly loads = new Map<string, Promise<Error | undefined>>();

  constructor(engine: Engine) {
    this.engine = engine;
  }

  /** A stream into `docker load` for a migration's image sent over the data link. */
  sink(id: string): NodeJS.WritableStream {
    const pipe = new PassThrough();
    this.loads.set(id, this.engine.loadImage(pipe).then(() => undefined, (err: unknown) => asFerryError(err, 'FERRY_ERR_DOCKER')));
    return pipe;
  }

  /** Starts loading a migration's image from the store; FERRY_ERR_STORE_MISSING when it is not complete there. */
  async fromStore(id: string, store: ObjectStore, imageId: string): Promise<void> {
    const manifest = await storedImage(store, imageId);
    if (!manifest) throw new FerryError('FERRY_ERR_STORE_MISSING', `image ${imageId} is not complete in ${store.where}`);
    this.loads.set(id, loadStoredImage(store, this.engine, manifest).then(() => undefined, (err: unknown) => asFerryError(err, 'FERRY_ERR_DOCKER')));
  }

  /** Waits for a migration's image load, if one was started, and forgets it; the error it ended with. */
  async outcome(id: string): Promise<Error | undefined> {
    const error = await this.loads.get(id);
    this.loads.delete(id);
    return error;
  }

  /** Forgets a migration's image load (abort). */
  forget(id: string): void {
    this.loads.delete(id);
  }
}
