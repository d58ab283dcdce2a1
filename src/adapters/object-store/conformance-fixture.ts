/** @module adapters/object-store/conformance-fixture — the fresh store each conformance case runs on, shared by the suite (conformance.ts) and its batch-tool cases (conformance-tools.ts). */
import type { Digest, ObjectStore } from './object-store.ts';

/** A fresh, empty store for one test, with raw access to its storage. */
export interface StoreFixture {
  store: ObjectStore;
  /** Replaces the stored bytes of object `digest` with `bytes`, raw (no digest check). */
  corrupt: (digest: Digest, bytes: Buffer) => Promise<void>;
  /** Replaces the stored form of manifest `name` with `stored`, raw (its header included). */
  corruptManifest: (name: string, stored: Buffer) => Promise<void>;
  /** Removes everything the fixture made. */
  cleanup: () => Promise<void>;
}

/** Makes a fresh fixture; called once per test. */
export type MakeStore = () => Promise<StoreFixture>;

/** Runs `body` on a fresh fixture and cleans up after it, also on failure. */
export async function withStore(make: MakeStore, body: (fixture: StoreFixture) => Promise<void>): Promise<void> {
  const fixture = await make();
  try {
    await body(fixture);
  } finally {
    await fixture.cleanup();
  }
}
