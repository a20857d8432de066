/** grown returns a copy of a typed array `cap` elements long, with `a`'s elements first (the rest zero). */
export function grown<A extends Float64Array | Uint32Array>(a: A, cap: number): A {
  const b = new (a.constructor as new (n: number) => A)(cap);
  b.set(a);
  return b;
}
