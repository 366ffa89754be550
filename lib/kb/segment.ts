/**
 * Search terms for Chinese and English text alike. The JS engines' default tokenisers split on spaces, so Chinese
 * comes out as whole sentences. `Intl.Segmenter` finds Chinese words, but slows badly on long strings, so text is
 * cut into sentences, and long sentences into pieces, first. Each run of Han characters also yields its character
 * bigrams, which catch the words the segmenter splits differently in a query and in a runbook (满了 / 已满, 耗尽 / 耗|尽).
 */
const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });

/** Sentence and clause breaks (Chinese and Western), and line breaks: the pieces handed to the segmenter. */
const SENTENCE_BREAK = /[。！？；\n!?;，,：:、（）()《》「」“”"'\t]+/u;
const HAN_RUN = /\p{Script=Han}{2,}/gu;
const HAS_HAN = /\p{Script=Han}/u;

/** Words that say nothing about which runbook is meant. */
const STOPWORDS = new Set([
  '的',
  '了',
  '是',
  '在',
  '和',
  '与',
  '或',
  '也',
  '就',
  '都',
  '而',
  '及',
  '等',
  '把',
  '被',
  '让',
  '给',
  '对',
  '从',
  '到',
  '会',
  '能',
  '要',
  '有',
  '没',
  '不',
  '吗',
  '呢',
  '吧',
  '啊',
  '这',
  '那',
  '个',
  '些',
  '一个',
  '一些',
  '这个',
  '那个',
  '什么',
  '怎么',
  '怎么办',
  '怎样',
  '如何',
  '为什么',
  '为何',
  '哪些',
  '可以',
  '一直',
  '出现',
  '问题',
  '情况',
  '时候',
  '进行',
  '我们',
  '你',
  '我',
  '他',
  '它',
  '该',
  '其',
  '如果',
  '因为',
  '所以',
  '然后',
  '但是',
  '还是',
  'the',
  'a',
  'an',
  'is',
  'are',
  'was',
  'be',
  'to',
  'of',
  'in',
  'on',
  'for',
  'and',
  'or',
  'with',
  'how',
  'what',
  'why',
  'when',
  'do',
  'does',
  'my',
  'it',
  'this',
  'that',
  'i',
]);

/** A light English stemmer: plurals and common verb endings, so "pods" and "pod", "restarting" and "restart" meet. */
function stem(word: string): string {
  if (!/^[a-z]+$/.test(word)) return word;
  if (word.length > 5 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.length > 5 && /(ing|ed)$/.test(word)) return word.replace(/(ing|ed)$/, '');
  if (word.length > 5 && /(ss|x|ch|sh)es$/.test(word)) return word.slice(0, -2);
  if (word.length >= 4 && word.endsWith('s') && !/(ss|us|is)$/.test(word)) return word.slice(0, -1);
  return word;
}

/**
 * `ImagePullBackOff` → image, pull, back, off (as well as the whole word): people type them apart. Stop words are
 * dropped and the parts stemmed, as words are.
 */
function camelParts(word: string): string[] {
  const parts = word.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+/g) ?? [];
  return parts.length > 1
    ? parts.map((part) => part.toLowerCase()).flatMap((part) => (STOPWORDS.has(part) ? [] : [stem(part)]))
    : [];
}

/**
 * The segmenter's words of one sentence (stop words and lone Han characters dropped, English stemmed), with the text
 * they came from.
 */
function* sentenceWords(sentence: string): Generator<{ term: string; segment: string }> {
  for (const piece of segmenter.segment(sentence)) {
    const word = piece.segment.toLowerCase();
    if (piece.isWordLike && !STOPWORDS.has(word) && !(word.length === 1 && HAS_HAN.test(word)))
      yield { term: stem(word), segment: piece.segment };
  }
}

/**
 * The segmenter takes time that grows with the square of the text it is given (one 100,000-character line without a
 * break took a minute to index), so a long sentence is cut into pieces of at most this many characters, at a space
 * where there is one near the end. Only a word or a bigram cut in two at a piece's end is lost.
 */
const PIECE_CHARS = 200;

function* pieces(sentence: string): Generator<string> {
  let start = 0;
  while (sentence.length - start > PIECE_CHARS) {
    const space = sentence.slice(start + PIECE_CHARS / 2, start + PIECE_CHARS).lastIndexOf(' ');
    let end = space >= 0 ? start + PIECE_CHARS / 2 + space : start + PIECE_CHARS;
    // Never between the two halves of a surrogate pair.
    if (space < 0 && /[\uD800-\uDBFF]/.test(sentence[end - 1]!)) end -= 1;
    yield sentence.slice(start, end);
    start = end;
  }
  yield sentence.slice(start);
}

const sentences = (text: string) =>
  text
    .split(SENTENCE_BREAK)
    .filter((sentence) => sentence.trim())
    .flatMap((sentence) => [...pieces(sentence)]);

/** A word written in camelCase (`KubeletDown`, `KubeAPI`), not snake_case: a name made of words. */
const CAMEL = /[a-z][A-Z]|[A-Z]{2}[a-z]/;

/**
 * The segmenter's words of a text, each with the parts of a camelCase name (`KubeAPI` → kube, api), as an alert's
 * text or a runbook's title would name a component in one word or in several.
 */
export function wordParts(text: string): { word: string; parts: string[] }[] {
  return sentences(text).flatMap((sentence) =>
    [...sentenceWords(sentence)].map(({ term, segment }) => ({
      word: term,
      parts: CAMEL.test(segment) ? camelParts(segment) : [],
    })),
  );
}

/**
 * Index and query terms: the segmenter's words, plus the bigrams and single characters of every Han run (a bigram
 * already emitted as a word is not repeated). Single characters carry words like 慢 or 卡 that the segmenter keeps
 * alone; `termWeight` gives them, and bigrams that are not words, less say in the score.
 */
export const terms = (text: string): string[] => [...termsBySentence(text)].flat();

/** The terms of a text one sentence at a time: work that can be interrupted between sentences. */
export function* termsBySentence(text: string): Generator<string[]> {
  for (const original of sentences(text)) {
    const result: string[] = [];
    const sentence = original.toLowerCase();
    const seen = new Set<string>();
    let previous: string | undefined;
    for (const { term, segment } of sentenceWords(original)) {
      seen.add(term);
      result.push(term);
      // Adjacent words as one term too ("no running", "not ready"): which words go together tells runbooks of one
      // family apart (VirtAPIDown, NoReadyVirtAPI, LowVirtAPICount) where single words cannot. Han text has its
      // character bigrams for this.
      if (previous && !HAS_HAN.test(term) && !HAS_HAN.test(previous)) result.push(`${previous} ${term}`);
      previous = term;
      result.push(...camelParts(segment));
    }
    for (const run of sentence.match(HAN_RUN) ?? []) {
      for (let i = 0; i + 2 <= run.length; i++) {
        const bigram = run.slice(i, i + 2);
        if (!STOPWORDS.has(bigram) && !seen.has(bigram)) result.push(bigram);
      }
    }
    for (const char of sentence.match(/\p{Script=Han}/gu) ?? []) if (!STOPWORDS.has(char)) result.push(char);
    yield result;
  }
}

/**
 * How much a query term counts: a word fully, a bigram that is not one of the query's words half, a character little.
 */
export function termWeight(queryWords: Set<string>, synonyms: Set<string> = new Set()) {
  return (term: string) => {
    if (synonyms.has(term) && !queryWords.has(term)) return 0.6;
    if (queryWords.has(term) || !HAS_HAN.test(term)) return 1;
    return term.length === 1 ? 0.2 : 0.5;
  };
}

/**
 * Ops words in Chinese and English that mean the same, so a Chinese question finds an English runbook and the other
 * way round (节点 NotReady → "node not ready"). Each line is one meaning.
 */
const SYNONYMS: string[][] = [
  ['节点', 'node'],
  ['容器', 'container'],
  ['镜像', 'image'],
  ['磁盘', 'disk'],
  ['内存', 'memory'],
  ['网络', 'network'],
  ['服务', 'service'],
  ['负载', 'load'],
  ['删除', 'delete'],
  ['重启', 'restart'],
  ['日志', 'log'],
  ['证书', 'certificate', 'cert'],
  ['超时', 'timeout'],
  ['延迟', '延时', 'latency'],
  ['解析', 'resolve'],
  ['域名', 'domain'],
  ['进程', 'process'],
  ['端口', 'port'],
  ['调度', 'schedule'],
  ['驱逐', 'evict'],
  ['挂载', 'mount'],
  ['退出', 'exit'],
  ['退出码', '状态码', 'exitcode'],
  ['探针', 'probe'],
  ['健康检查', 'healthcheck'],
  ['拉取', 'pull'],
  ['仓库', 'registry'],
  ['数据库', 'database'],
  ['连接', 'connection'],
  ['丢包', 'drop'],
  ['慢', 'slow'],
  ['失败', 'fail'],
  ['权限', 'permission'],
  ['主从', 'replication'],
  ['复制', 'replication'],
  ['负载均衡', 'lb'],
];
const synonymsOf = new Map<string, string[]>();
for (const group of SYNONYMS)
  for (const word of group)
    synonymsOf.set(stem(word), [
      ...(synonymsOf.get(stem(word)) ?? []),
      ...group.filter((other) => other !== word).map(stem),
    ]);

/** The other-language words for one word (none when it is not an ops term). */
export const synonymsOfWord = (word: string) => synonymsOf.get(word) ?? [];

/** The query's words in the other language (not already in the query): searched too, at a lower weight. */
export function synonymsFor(queryWords: string[], query: string): string[] {
  const present = new Set(queryWords);
  const extra = new Set<string>();
  for (const word of [...queryWords, ...(query.match(/\p{Script=Han}/gu) ?? [])])
    for (const other of synonymsOf.get(word) ?? []) if (!present.has(other)) extra.add(other);
  return [...extra];
}
