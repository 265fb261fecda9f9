/**
 * `list.sort(compare)` for the few-element lists of the router's every item (a text's candidates, a unit's evidence,
 * a duty's terms): an insertion sort in place, stable like `Array.prototype.sort`, so the same order for any
 * consistent comparator. V8's sort costs ~100 ns and a work array per call even for three elements; a long list still
 * goes to it.
 */
export function sortSmall<T>(list: T[], compare: (a: T, b: T) => number): T[] {
  if (list.length > 16) return list.sort(compare);
  for (let i = 1; i < list.length; i++) {
    const x = list[i] as T;
    let at = i;
    while (at > 0 && compare(list[at - 1] as T, x) > 0) {
      list[at] = list[at - 1] as T;
      at--;
    }
    list[at] = x;
  }
  return list;
}
