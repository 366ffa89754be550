/**
 * An in-memory BM25 index of sections, for the embedded knowledge base.
 *
 * It scores as MiniSearch does (BM25+ per field, k 1.2, b 0.7, d 0.5, field boosts, times the number of query terms a
 * section matches), but keeps postings in arrays and adds scores into one array per search. An alert's text is 50–80
 * terms, and MiniSearch builds and merges a map per term and field: over 1,000 runbooks that took 15–40 ms a search,
 * this takes a few. It also knows how many sections hold each term, which is what tells a word that names the problem
 * (`kubelet`, `patroni`, 证书) from the boilerplate every alert of a kind repeats.
 */
const K1 = 1.2;
const B = 0.7;
const D = 0.5;

interface Posting {
  slots: number[];
  fields: number[];
  counts: number[];
  /** Live sections with the term, in each field and in any field. */
  inField: number[];
  inAny: number;
}

export function sectionIndex(fieldBoosts: number[]) {
  const ids: (string | undefined)[] = [];
  const slotOf = new Map<string, number>();
  /** Each slot's terms, with the fields (a bit each) that hold them. */
  const termsOf: (Map<string, number> | undefined)[] = [];
  const lengths = fieldBoosts.map(() => [] as number[]);
  const totalLength = fieldBoosts.map(() => 0);
  const postings = new Map<string, Posting>();
  let dead = 0;

  /** Drops removed sections from the postings once they are as many as the live ones. */
  const compact = () => {
    for (const [term, posting] of postings) {
      const keep = posting.slots.flatMap((slot, at) => (ids[slot] === undefined ? [] : [at]));
      if (!keep.length) postings.delete(term);
      else
        postings.set(term, {
          ...posting,
          slots: keep.map((at) => posting.slots[at]!),
          fields: keep.map((at) => posting.fields[at]!),
          counts: keep.map((at) => posting.counts[at]!),
        });
    }
    dead = 0;
  };

  const remove = (id: string) => {
    const slot = slotOf.get(id);
    if (slot === undefined) return;
    for (const [term, fields] of termsOf[slot]!) {
      const posting = postings.get(term)!;
      posting.inAny -= 1;
      fieldBoosts.forEach((_, field) => {
        if (fields & (1 << field)) posting.inField[field]! -= 1;
      });
    }
    fieldBoosts.forEach((_, field) => (totalLength[field]! -= lengths[field]![slot]!));
    ids[slot] = undefined;
    termsOf[slot] = undefined;
    slotOf.delete(id);
    if (++dead > 1000 && dead > slotOf.size) compact();
  };

  return {
    /** Indexes a section by its terms, field by field (in the order of `fieldBoosts`), replacing one of the same id. */
    add(id: string, fieldTerms: string[][]) {
      remove(id);
      const slot = ids.length;
      ids.push(id);
      slotOf.set(id, slot);
      const terms = new Map<string, number>();
      fieldTerms.forEach((list, field) => {
        lengths[field]![slot] = list.length;
        totalLength[field]! += list.length;
        const counts = new Map<string, number>();
        for (const term of list) counts.set(term, (counts.get(term) ?? 0) + 1);
        for (const [term, count] of counts) {
          let posting = postings.get(term);
          if (!posting)
            postings.set(
              term,
              (posting = { slots: [], fields: [], counts: [], inField: fieldBoosts.map(() => 0), inAny: 0 }),
            );
          posting.slots.push(slot);
          posting.fields.push(field);
          posting.counts.push(count);
          posting.inField[field]! += 1;
          if (!terms.has(term)) posting.inAny += 1;
          terms.set(term, (terms.get(term) ?? 0) | (1 << field));
        }
      });
      termsOf.push(terms);
    },
    remove,
    get size() {
      return slotOf.size;
    },
    /** Whether any section holds the term. */
    known: (term: string) => (postings.get(term)?.inAny ?? 0) > 0,
    /** BM25's inverse document frequency over sections: high for a rare term, near 0 for one in almost every section. */
    idf(term: string): number {
      const df = postings.get(term)?.inAny ?? 0;
      return Math.log(1 + (slotOf.size - df + 0.5) / (df + 0.5));
    },
    /** The sections that hold any of the terms, best first; `boost` says how much each term counts. */
    search(terms: string[], boost: (term: string) => number): { id: string; score: number }[] {
      const live = slotOf.size;
      const scores = new Float64Array(ids.length);
      const matchedCount = new Uint16Array(ids.length);
      const lastTerm = new Int32Array(ids.length).fill(-1);
      const averages = totalLength.map((total) => (live ? total / live : 0));
      const touched: number[] = [];
      terms.forEach((term, termAt) => {
        const posting = postings.get(term);
        const termBoost = boost(term);
        if (!posting || !termBoost) return;
        const idfs = posting.inField.map((df) => Math.log(1 + (live - df + 0.5) / (df + 0.5)));
        for (let at = 0; at < posting.slots.length; at++) {
          const slot = posting.slots[at]!;
          if (ids[slot] === undefined) continue;
          const field = posting.fields[at]!;
          const count = posting.counts[at]!;
          const norm = 1 - B + (B * lengths[field]![slot]!) / (averages[field]! || 1);
          scores[slot]! +=
            termBoost * fieldBoosts[field]! * idfs[field]! * (D + (count * (K1 + 1)) / (count + K1 * norm));
          if (lastTerm[slot] !== termAt) {
            if (lastTerm[slot] === -1) touched.push(slot);
            lastTerm[slot] = termAt;
            matchedCount[slot]! += 1;
          }
        }
      });
      return (
        touched
          .map((slot) => ({ slot, score: scores[slot]! * matchedCount[slot]! }))
          // Of equal scores, the section indexed last first: the newer copy of a runbook imported twice.
          .sort((a, b) => b.score - a.score || b.slot - a.slot)
          .map(({ slot, score }) => ({ id: ids[slot]!, score }))
      );
    },
    /** Whether a section holds a term, in any field. */
    holds: (id: string, term: string) => termsOf[slotOf.get(id) ?? -1]?.has(term) ?? false,
  };
}
