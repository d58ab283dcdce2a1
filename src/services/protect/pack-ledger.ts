/**
 * @module services/protect/pack-ledger — pure: which page packs of one protection the store holds,
 * and which page each holds, so a point uploads only pages no kept point has stored and
 * names exactly the packs its recipe needs. New packs are staged until their point's
 * manifest is written (a failed point leaves the ledger as it was), and packs that no kept
 * point names any more are forgotten, because garbage collection may delete them: a page
 * is never counted as stored on the strength of a pack that might be gone. A pack the last
 * point used only sparsely (most of its pages since overwritten) is not reused: its live
 * pages go up again in new packs, so a point never drags along mostly dead packs.
 */
import { FerryError } from '../../core/errors.ts';
import { ZERO_PAGE } from '../../domain/pages/page-delta.ts';
import type { DumpRecipe } from '../../domain/pages/recipe.ts';
import type { Digest } from '../../adapters/object-store/object-store.ts';

/** One pack: its digest and the addresses of its pages, in order. */
export interface PackPages {
  pack: Digest;
  addresses: readonly string[];
}

/** The packs of one protection, by page address. */
export class PackLedger {
  private readonly byAddress = new Map<string, Digest>();
  private readonly pages = new Map<Digest, readonly string[]>();
  private staged: PackPages[] = [];
  private readonly stagedByAddress = new Map<string, Digest>();
  /** Pages of each pack the last point used (from its packsFor). */
  private live = new Map<Digest, number>();

  /** True when a committed or staged pack holds the page (the zero page needs none). */
  holds(address: string): boolean {
    return address === ZERO_PAGE || this.byAddress.has(address) || this.stagedByAddress.has(address);
  }

  /** Addresses a new point may take as stored (to seed a tracker): those of committed packs the last point used at least `minUse` of (0 to 1). */
  *reusable(minUse: number): Generator<string> {
    const first = this.live.size === 0;
    for (const [address, pack] of this.byAddress) {
      if (first || (this.live.get(pack) ?? 0) >= minUse * (this.pages.get(pack)?.length ?? 1)) yield address;
    }
  }

  /** Notes a pack the current point stored. */
  stage(pack: PackPages): void {
    this.staged.push(pack);
    for (const a of pack.addresses) if (!this.stagedByAddress.has(a)) this.stagedByAddress.set(a, pack.pack);
  }

  /** The packs holding every non-zero page of `recipe` (committed and staged); throws naming a page no pack holds. */
  packsFor(recipe: DumpRecipe): Digest[] {
    const live = new Map<Digest, number>();
    const seen = new Set<string>();
    for (const f of recipe.files) {
      for (const a of f.pages) {
        if (a === ZERO_PAGE || seen.has(a)) continue;
        seen.add(a);
        // The newest pack holding a page wins, so re-uploaded pages leave their sparse pack behind.
        const pack = this.stagedByAddress.get(a) ?? this.byAddress.get(a);
        if (pack === undefined) throw new FerryError('FERRY_ERR_INTERNAL', `page ${a} of ${f.name} is in no pack of this protection; the point is not written`);
        live.set(pack, (live.get(pack) ?? 0) + 1);
      }
    }
    this.live = live;
    return [...live.keys()];
  }

  /** The point's manifest is written: its staged packs count as stored. */
  commit(): void {
    for (const p of this.staged) this.add(p);
    this.rollback();
  }

  /** The point failed: its staged packs are forgotten. */
  rollback(): void {
    this.staged = [];
    this.stagedByAddress.clear();
  }

  /** Keeps only the packs in `kept` (those the kept points name); returns how many were forgotten. */
  retain(kept: ReadonlySet<Digest>): number {
    let dropped = 0;
    for (const [pack, addresses] of this.pages) {
      if (kept.has(pack)) continue;
      this.pages.delete(pack);
      for (const a of addresses) if (this.byAddress.get(a) === pack) this.byAddress.delete(a);
      dropped++;
    }
    // A page held by a dropped pack may also be in a kept one: point it there.
    for (const [pack, addresses] of this.pages) for (const a of addresses) if (!this.byAddress.has(a)) this.byAddress.set(a, pack);
    return dropped;
  }

  /** Pages of one pack, or undefined for a pack this ledger does not know. */
  pagesOf(pack: Digest): number | undefined {
    return this.pages.get(pack)?.length;
  }

  /** Committed packs and distinct pages. */
  get counts(): { packs: number; pages: number } {
    return { packs: this.pages.size, pages: this.byAddress.size };
  }

  private add(p: PackPages): void {
    this.pages.set(p.pack, p.addresses);
    for (const a of p.addresses) this.byAddress.set(a, p.pack);
  }
}

/** Splits the addresses of the pages given to a PackUploader, in order, into its packs (it cuts every `packPages` pages). */
export function packsOfUpload(packs: readonly Digest[], addresses: readonly string[], packPages: number): PackPages[] {
  const expected = Math.ceil(addresses.length / packPages);
  if (packs.length !== expected) throw new FerryError('FERRY_ERR_INTERNAL', `${addresses.length} pages should make ${expected} packs, the uploader cut ${packs.length}; the point is not written`);
  return packs.map((pack, i) => ({ pack, addresses: addresses.slice(i * packPages, (i + 1) * packPages) }));
}
