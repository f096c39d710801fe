/**
 * Value equality for configs written inline in JSX: plain objects and arrays compare by content;
 * functions always compare equal, because callbacks are read through a latest-ref, not captured.
 */
export function sameValue(a: unknown, b: unknown, comparing = new WeakMap<object, object>()): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a === 'function' && typeof b === 'function') return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  // A cycle (an object holding itself): the pair is already being compared further up.
  if (comparing.get(a) === b) return true;
  comparing.set(a, b);
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => sameValue(item, b[i], comparing));
  }
  // Only plain objects compare by content; a Date, Map or class instance compares by identity.
  if (!isPlainObject(a) || !isPlainObject(b)) return false;
  const keysA = Object.keys(a).filter((key) => (a as Record<string, unknown>)[key] !== undefined);
  const keysB = Object.keys(b).filter((key) => (b as Record<string, unknown>)[key] !== undefined);
  if (keysA.length !== keysB.length) return false;
  return keysA.every((key) => sameValue((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], comparing));
}

function isPlainObject(value: object): boolean {
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}
