import type { sectionIndex } from './bm25.js';
import { synonymsFor, synonymsOfWord, termWeight, terms, wordParts } from './segment.js';

/**
 * A section must match at least this share of the question's words (in either language), or of what they say (each
 * word counted by how rare it is in the knowledge base), to be an answer at all: one shared word out of four is a
 * coincidence (泄漏 in 氧气泄漏 and 内存泄漏), not a runbook for it. A long alert text needs no more than two of its
 * words (or two average words' weight): its boilerplate ("has not reported any traffic in the past 30 minutes") is
 * not what a runbook repeats.
 */
const MIN_COVERAGE = 1 / 3;
const ENOUGH_WORDS = 2;
/**
 * How much more a section counts when the question names all of its article's title; by the square of the share named
 * in between, so naming half a title (a coincidental 爆满 in 磁盘爆满) counts a quarter.
 */
const TITLE_NAMED_BOOST = 6;
/** A runbook whose title the question names at least this much (by weight) is never dropped by the coverage rule. */
const TITLE_NAMED_KEEPS = 1 / 2;

type Rarity = Pick<ReturnType<typeof sectionIndex>, 'idf' | 'known'>;

/**
 * What a question (or an alert's text) asks of the index: the terms to search, how much each counts, and the two
 * judgements made on each section found: whether it covers enough of the question to be an answer at all, and how
 * much of its runbook's title the question names.
 */
export function questionOf(query: string, rarity: Rarity) {
  const said = wordParts(query);
  const queryWords = said.map(({ word }) => word);
  /** A camelCase word's parts: `KubeAPI` names a runbook on the kube API, and is covered by one that says both. */
  const partsOf = new Map(said.filter(({ parts }) => parts.length).map(({ word, parts }) => [word, parts]));
  const synonyms = synonymsFor(queryWords, query);
  const searched = [...new Set([...terms(query), ...synonyms])];
  const distinctWords = [...new Set(queryWords)];
  const named = new Set([...queryWords, ...[...partsOf.values()].flat(), ...synonyms]);
  // A word no section holds (a host name, a word the segmenter cut otherwise) counts as an average word of the
  // question: unmatched, it still weighs against a coincidence, without outweighing all the rest.
  const known = distinctWords.filter(rarity.known);
  const usual = known.length ? known.reduce((total, word) => total + rarity.idf(word), 0) / known.length : 1;
  const weights = new Map(distinctWords.map((word) => [word, rarity.known(word) ? rarity.idf(word) : usual]));
  const total = [...weights.values()].reduce((sum, weight) => sum + weight, 0);
  const needed = Math.min(total * MIN_COVERAGE, (ENOUGH_WORDS * total) / Math.max(1, distinctWords.length)) - 1e-9;
  const neededWords = Math.min(distinctWords.length * MIN_COVERAGE, ENOUGH_WORDS) - 1e-9;
  const weight = termWeight(new Set(queryWords), new Set(synonyms));

  return {
    searched,
    /**
     * A term's say in the score: less for bigrams, characters and synonyms than for the question's own words, and more
     * the rarer it is (BM25 already weighs by rarity; this counts it twice), so the one word that names the component
     * outweighs the boilerplate around it.
     */
    boost: (term: string) => weight(term) * rarity.idf(term),
    /** Whether a section (that holds the terms `holds` says) covers enough of the question to be an answer. */
    covers(holds: (term: string) => boolean): boolean {
      let covered = 0;
      let count = 0;
      for (const [word, wordWeight] of weights)
        if (holds(word) || synonymsOfWord(word).some(holds) || partsOf.get(word)?.every(holds)) {
          covered += wordWeight;
          count += 1;
        }
      return !weights.size || count >= neededWords || covered >= needed;
    },
    /**
     * How much of a title the question names, by weight: 1 when it names all of it. A camelCase word weighs as its
     * parts, and is named whole (`ExitCode` by 退出码 ↔ exitcode) or part by part (`KubeletDown` by "kubelet … down").
     */
    namesTitle(title: { word: string; parts: string[] }[]): number {
      let total = 0;
      let hit = 0;
      for (const { word, parts } of title) {
        const weights = (parts.length ? parts : [word]).map((part) => rarity.idf(part));
        const wordWeight = weights.reduce((sum, weight) => sum + weight, 0);
        total += wordWeight;
        if (named.has(word)) hit += wordWeight;
        else if (parts.length) parts.forEach((part, i) => named.has(part) && (hit += weights[i]!));
      }
      return total ? hit / total : 0;
    },
    /** What a section's score is multiplied by, for the share of its runbook's title the question names. */
    titleBoost: (titleNamed: number) => 1 + TITLE_NAMED_BOOST * titleNamed ** 2,
    keeps: (titleNamed: number) => titleNamed >= TITLE_NAMED_KEEPS,
    /**
     * Whether most of the question's words are in the knowledge base: it asks about something the runbooks speak of,
     * unlike 火星基地氧气泄漏, where only 泄漏 is known.
     */
    inVocabulary: known.length > distinctWords.length / 2,
  };
}
