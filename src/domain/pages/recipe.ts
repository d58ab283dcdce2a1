/**
 * @module domain/pages/recipe — the description of a dump's page files that the final round
 * sends: for each `pages-N.img`, the content address of every page in order. The
 * destination rebuilds the files from the pages it holds; the schema bounds what it accepts.
 */
import * as z from 'zod';
import { FerryError } from '../../core/errors.ts';

const address = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'a page address (sha256, base64url)');

/** The recipe schema: page files by name, each a list of page addresses. */
export const DumpRecipeSchema = z.strictObject({
  files: z.array(z.strictObject({ name: z.string().regex(/^pages-\d{1,6}\.img$/, 'a CRIU pages-N.img name'), pages: z.array(address) })).max(4096),
});

/** What the final round says of the dump's page files. */
export type DumpRecipe = z.infer<typeof DumpRecipeSchema>;

/** Parses a recipe that arrived; anything else is a FERRY_ERR_PROTOCOL naming the field. */
export function parseRecipe(text: string): DumpRecipe {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new FerryError('FERRY_ERR_PROTOCOL', `the page recipe is not JSON: ${(err as Error).message}`);
  }
  const r = DumpRecipeSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new FerryError('FERRY_ERR_PROTOCOL', `the page recipe field ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
  }
  const names = new Set(r.data.files.map((f) => f.name));
  if (names.size !== r.data.files.length) throw new FerryError('FERRY_ERR_PROTOCOL', 'the page recipe names a file twice');
  return r.data;
}
