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
 * similarity is a dot product, in one contiguous array, and searched exhaustively: 1,000 runbooks are about 7,000
 * sections, about 12 ms at 1,536 dimensions, less than the call that embeds the question.
 */
export function vectorIndex() {
  let dimensions = 0;
  let rows = new Float32Array(0);
  const ids: (string | undefined)[] = [];
  const rowOf = new Map<string, number>();
  const free: number[] = [];
  const unit = (vector: number[]) => {
    let sum = 0;
    for (const value of vector) sum += value * value;
    const length = Math.sqrt(sum) || 1;
    return Float32Array.from(vector, (value) => value / length);
  };
  const remove = (id: string) => {
    const row = rowOf.get(id);
    if (row === undefined) return;
    rowOf.delete(id);
    ids[row] = undefined;
    free.push(row);
  };
  /** Every section's similarity to a unit vector of the index's size, by row. */
  const similarities = (query: Float32Array) => {
    // Read once into constants: the loop is most of a hybrid search's time, and V8 keeps it tight only so.
    const data = rows;
    const size = dimensions;
    const count = ids.length;
    const result = new Float32Array(count);
    for (let row = 0; row < count; row++) {
      let sum = 0;
      for (let i = 0, at = row * size; i < size; i++, at++) sum += query[i]! * data[at]!;
      result[row] = sum;
    }
    return result;
  };
  return {
    /** Keeps a section's vector; a vector of another size than the first one's is not kept (another model's). */
    set(id: string, vector: number[]) {
      remove(id);
      if (!dimensions) dimensions = vector.length;
      if (vector.length !== dimensions) return;
      const row = free.pop() ?? ids.length;
      if ((row + 1) * dimensions > rows.length) {
        const grown = new Float32Array(Math.max(rows.length * 2, (row + 1) * dimensions));
        grown.set(rows);
        rows = grown;
      }
      rows.set(unit(vector), row * dimensions);
      ids[row] = id;
      rowOf.set(id, row);
    },
    remove,
    get size() {
      return rowOf.size;
    },
    /**
     * Words and meaning together: the lexical hits (best first, with their scores) and the `KNN_CANDIDATES` sections
     * nearest to the question's vector, each scored by its scaled lexical score and its scaled similarity.
     */
    fuse(lexical: { id: string; score: number }[], vector: number[]): { id: string; score: number }[] {
      if (vector.length !== dimensions) return lexical;
      const similarity = similarities(unit(vector));
      // The nearest rows, kept in order as they are found: cheaper than sorting every section.
      const nearest: number[] = [];
      ids.forEach((id, row) => {
        if (id === undefined) return;
        if (nearest.length === KNN_CANDIDATES && similarity[row]! <= similarity[nearest.at(-1)!]!) return;
        let at = nearest.length;
        while (at > 0 && similarity[nearest[at - 1]!]! < similarity[row]!) at--;
        nearest.splice(at, 0, row);
        if (nearest.length > KNN_CANDIDATES) nearest.pop();
      });
      const candidates = new Map(lexical.map(({ id, score }) => [id, score]));
      for (const row of nearest) if (!candidates.has(ids[row]!)) candidates.set(ids[row]!, 0);
      const scaled = (values: number[]) => {
        const low = Math.min(...values);
        const span = Math.max(...values) - low;
        return values.map((value) => (span ? (value - low) / span : 1));
      };
      const found = [...candidates.keys()];
      const words = scaled(found.map((id) => candidates.get(id)!));
      const meaning = scaled(found.map((id) => (rowOf.has(id) ? similarity[rowOf.get(id)!]! : 0)));
      return found
        .map((id, i) => ({ id, score: (1 - MEANING_WEIGHT) * words[i]! + MEANING_WEIGHT * meaning[i]! }))
        .sort((a, b) => b.score - a.score);
    },
  };
}
