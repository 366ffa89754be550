/** How many nearest sections the k-NN half of a hybrid search brings in. */
export const KNN_CANDIDATES = 20;

/**
 * Section vectors for the k-NN half of hybrid search in the embedded engine: kept at unit length, so cosine
 * similarity is a dot product, and searched exhaustively (1,000 runbooks are about 7,000 sections: a millisecond or
 * two at 1,536 dimensions).
 */
export function vectorIndex() {
  const vectors = new Map<string, Float32Array>();
  const unit = (vector: number[]) => {
    const length = Math.hypot(...vector) || 1;
    return Float32Array.from(vector, (value) => value / length);
  };
  return {
    set: (id: string, vector: number[]) => void vectors.set(id, unit(vector)),
    remove: (id: string) => void vectors.delete(id),
    get size() {
      return vectors.size;
    },
    /** The `k` sections nearest to the vector, nearest first. */
    nearest(vector: number[], k: number): string[] {
      const query = unit(vector);
      const scored: { id: string; similarity: number }[] = [];
      for (const [id, section] of vectors) {
        if (section.length !== query.length) continue;
        let similarity = 0;
        for (let i = 0; i < query.length; i++) similarity += query[i]! * section[i]!;
        scored.push({ id, similarity });
      }
      return scored
        .sort((a, b) => b.similarity - a.similarity)
        .slice(0, k)
        .map(({ id }) => id);
    },
  };
}

/**
 * Reciprocal rank fusion: each list gives an item 1 / (60 + its rank). Ranks, not scores, are added, because BM25
 * scores (tens to thousands) and cosine similarities (0 to 1) are not on one scale: added as they are, the lexical
 * score decides alone.
 */
export function fuseRanks(lists: string[][], k = 60): { id: string; score: number }[] {
  const scores = new Map<string, number>();
  for (const list of lists) list.forEach((id, rank) => scores.set(id, (scores.get(id) ?? 0) + 1 / (k + rank + 1)));
  return [...scores].map(([id, score]) => ({ id, score })).sort((a, b) => b.score - a.score);
}
