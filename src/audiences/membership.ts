/**
 * Compact membership: a pack of 1M persons is one BLOB, not 1M rows. Person ids are sorted, so the
 * gaps between them are small; gaps are varint-coded (about one byte per member for dense ids) and
 * the result is zstd-compressed. A leading format byte leaves room for another encoding later.
 * Diffs between two runs are linear merges of the sorted lists.
 */

const FORMAT_DELTA_VARINT_ZSTD = 1;

/** encodeMembers packs a strictly ascending list of non-negative person ids. */
export function encodeMembers(ids: Int32Array): Uint8Array {
  const raw = new Uint8Array(5 * ids.length + 1);
  let k = 0;
  let prev = -1;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    if (id <= prev) throw new Error(`member ids must be strictly ascending (id ${id} after ${prev})`);
    let gap = id - prev - 1;
    prev = id;
    while (gap >= 0x80) {
      raw[k++] = (gap & 0x7f) | 0x80;
      gap >>>= 7;
    }
    raw[k++] = gap;
  }
  const packed = Bun.zstdCompressSync(raw.subarray(0, k), { level: 3 });
  const out = new Uint8Array(5 + packed.length);
  out[0] = FORMAT_DELTA_VARINT_ZSTD;
  new DataView(out.buffer).setUint32(1, ids.length, true);
  out.set(packed, 5);
  return out;
}

/** decodeMembers reverses encodeMembers. */
export function decodeMembers(blob: Uint8Array): Int32Array {
  if (blob.length < 5 || blob[0] !== FORMAT_DELTA_VARINT_ZSTD) throw new Error("unknown membership encoding");
  const count = new DataView(blob.buffer, blob.byteOffset, blob.byteLength).getUint32(1, true);
  const raw = Bun.zstdDecompressSync(blob.subarray(5));
  const ids = new Int32Array(count);
  let prev = -1;
  let k = 0;
  for (let i = 0; i < count; i++) {
    let gap = 0;
    let shift = 0;
    let b: number;
    do {
      b = raw[k++]!;
      gap += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b & 0x80);
    prev = prev + 1 + gap;
    ids[i] = prev;
  }
  return ids;
}

/** MembershipDiff is who entered and who exited between two sorted member lists. */
export interface MembershipDiff {
  readonly entered: Int32Array;
  readonly exited: Int32Array;
}

/** diffMembers compares two ascending id lists in one merge pass. */
export function diffMembers(prev: Int32Array, next: Int32Array): MembershipDiff {
  const entered: number[] = [];
  const exited: number[] = [];
  let i = 0;
  let j = 0;
  while (i < prev.length || j < next.length) {
    const a = i < prev.length ? prev[i]! : Infinity;
    const b = j < next.length ? next[j]! : Infinity;
    if (a === b) { i++; j++; }
    else if (a < b) { exited.push(a); i++; }
    else { entered.push(b); j++; }
  }
  return { entered: Int32Array.from(entered), exited: Int32Array.from(exited) };
}

/** isMember is a binary search of a sorted member list. */
export function isMember(members: Int32Array, id: number): boolean {
  let lo = 0;
  let hi = members.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const m = members[mid]!;
    if (m === id) return true;
    if (m < id) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}
