/** @module tools/doctor/elf — tells a statically linked ELF executable from a dynamic one (pure, from its header bytes). */

/** What the ELF header says about linking. */
export type ElfLinking = 'static' | 'dynamic' | 'not-elf';

const PT_INTERP = 3;

/**
 * Reads the program headers of an ELF file (its first bytes, which must include the
 * program header table) and reports whether it asks for an interpreter (dynamic loader).
 */
export function elfLinking(bytes: Uint8Array): ElfLinking {
  if (bytes.length < 52 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) return 'not-elf';
  const is64 = bytes[4] === 2;
  const little = bytes[5] === 1;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const phoff = is64 ? Number(view.getBigUint64(32, little)) : view.getUint32(28, little);
  const phentsize = view.getUint16(is64 ? 54 : 42, little);
  const phnum = view.getUint16(is64 ? 56 : 44, little);
  if (phentsize === 0 || phoff + phentsize * phnum > bytes.length) return 'not-elf';
  for (let i = 0; i < phnum; i++) {
    if (view.getUint32(phoff + i * phentsize, little) === PT_INTERP) return 'dynamic';
  }
  return 'static';
}
