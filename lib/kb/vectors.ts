/** How many nearest sections the k-NN half of a hybrid search brings in. */
export const KNN_CANDIDATES = 20;

/**
 * How much the meaning counts against the words in a hybrid search, both scaled to 0–1 over the sections found
 * (min–max, as OpenSearch's normalization processor does). Scores, not ranks, are combined: a runbook the words
 * single out by far (its title named) keeps its lead, and a weak model can reorder only near ties.
 */
const MEANING_WEIGHT = 0.3;

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
  const similarity = (query: Float32Array, section: Float32Array | undefined) => {
    if (!section || section.length !== query.length) return undefined;
    let sum = 0;
    for (let i = 0; i < query.length; i++) sum += query[i]! * section[i]!;
    return sum;
  };
  return {
    set: (id: string, vector: number[]) => void vectors.set(id, unit(vector)),
    remove: (id: string) => void vectors.delete(id),
    get size() {
      return vectors.size;
    },
    /**
     * Words and meaning together: the lexical hits (best first, with their scores) and the `KNN_CANDIDATES` sections
     * nearest to the question's vector, each scored by its scaled lexical score and its scaled similarity.
     */
    fuse(lexical: { id: string; score: number }[], vector: number[]): { id: string; score: number }[] {
      const query = unit(vector);
      const near: { id: string; similarity: number }[] = [];
      for (const [id, section] of vectors) near.push({ id, similarity: similarity(query, section) ?? -1 });
      near.sort((a, b) => b.similarity - a.similarity);
      const candidates = new Map(lexical.map(({ id, score }) => [id, score]));
      for (const { id } of near.slice(0, KNN_CANDIDATES)) if (!candidates.has(id)) candidates.set(id, 0);
      const scaled = (values: number[]) => {
        const low = Math.min(...values);
        const span = Math.max(...values) - low;
        return values.map((value) => (span ? (value - low) / span : 1));
      };
      const ids = [...candidates.keys()];
      const words = scaled(ids.map((id) => candidates.get(id)!));
      const meaning = scaled(ids.map((id) => similarity(query, vectors.get(id)) ?? 0));
      return ids
        .map((id, i) => ({ id, score: (1 - MEANING_WEIGHT) * words[i]! + MEANING_WEIGHT * meaning[i]! }))
        .sort((a, b) => b.score - a.score);
    },
  };
}
