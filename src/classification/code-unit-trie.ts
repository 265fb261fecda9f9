/**
 * The shape of a trie over UTF-16 code units: nodes are numbers, and every edge sits in one open-addressing table
 * (typed arrays keyed by node and code unit) instead of a Map per node. The phrase matchers of classification and
 * routing (cues, duty terms, catalogue names) walk it at every character of every text, and a look-up here is a
 * few array reads where a Map per node costs a hash of a boxed key and a pointer chase into a separate object.
 * What a node means (a phrase ends here, with this value) is kept by the user, in arrays indexed by node.
 */
export class CodeUnitTrie {
  /**
   * first code unit → its node + 1 (0: no phrase starts with it). Two bytes an entry while the nodes fit (every trie
   * of the shipped configuration and of a county's catalogue): the table is read at every character of every text,
   * a cache line per character met, and at half the size the characters of a text share twice as many lines.
   */
  private roots: Uint16Array | Int32Array = new Uint16Array(65536);
  private from = new Int32Array(1024).fill(-1);
  private unit = new Uint16Array(1024);
  private to = new Int32Array(1024);
  private mask = 1023;
  private edges = 0;
  /** per node: bit (code & 31) set when some child's code unit has those low bits; a leaf has none, so most
   * failed steps (the text goes on with a character no phrase continues with) end here, without hashing */
  private kids = new Int32Array(1024);
  /** nodes so far; node ids are 0 … size - 1 */
  size = 0;

  /** The node where `phrase` ends, with any nodes on the way added. */
  add(phrase: string): number {
    const lead = phrase.charCodeAt(0);
    let node = this.root(lead);
    if (node < 0) {
      node = this.size++;
      if (node + 1 > 0xffff && this.roots instanceof Uint16Array) this.roots = Int32Array.from(this.roots);
      this.roots[lead] = node + 1;
    }
    for (let j = 1; j < phrase.length; j++) {
      const code = phrase.charCodeAt(j);
      let next = this.next(node, code);
      if (next < 0) {
        next = this.size++;
        this.link(node, code, next);
      }
      node = next;
    }
    this.fit();
    return node;
  }

  /** The node of the one-unit phrase `code` (where every phrase starting with it begins), or -1. */
  root(code: number): number {
    return (this.roots[code] as number) - 1;
  }

  /** The child of `node` by the code unit `code`, or -1. */
  next(node: number, code: number): number {
    if ((((this.kids[node] as number) >>> (code & 31)) & 1) === 0) return -1;
    let h = slot(node, code, this.mask);
    for (;;) {
      const from = this.from[h] as number;
      if (from === -1) return -1;
      if (from === node && this.unit[h] === code) return this.to[h] as number;
      h = (h + 1) & this.mask;
    }
  }

  /** every node has its entry in `kids` (a read past the end would cost more than the entry) */
  private fit(): void {
    if (this.size <= this.kids.length) return;
    const grown = new Int32Array(Math.max(this.size, this.kids.length * 2));
    grown.set(this.kids);
    this.kids = grown;
  }

  private link(node: number, code: number, child: number): void {
    this.fit();
    this.kids[node] = (this.kids[node] as number) | (1 << (code & 31));
    // at most half full, so a miss ends after a probe or two
    if (++this.edges * 2 > this.mask) this.grow();
    let h = slot(node, code, this.mask);
    while (this.from[h] !== -1) h = (h + 1) & this.mask;
    this.from[h] = node;
    this.unit[h] = code;
    this.to[h] = child;
  }

  private grow(): void {
    const { from, unit, to } = this;
    const size = (this.mask + 1) * 2;
    this.from = new Int32Array(size).fill(-1);
    this.unit = new Uint16Array(size);
    this.to = new Int32Array(size);
    this.mask = size - 1;
    for (let h = 0; h < from.length; h++) {
      if (from[h] === -1) continue;
      let at = slot(from[h] as number, unit[h] as number, this.mask);
      while (this.from[at] !== -1) at = (at + 1) & this.mask;
      this.from[at] = from[h] as number;
      this.unit[at] = unit[h] as number;
      this.to[at] = to[h] as number;
    }
  }
}

function slot(node: number, code: number, mask: number): number {
  const x = Math.imul(node, 0x9e3779b1) ^ Math.imul(code, 0x85ebca6b);
  return (x ^ (x >>> 15)) & mask;
}
