import type * as z from 'zod';

/** What a field is called in a reply, by its path (`[1]`, `['since']`); undefined when it has no name of its own. */
export type FieldName = (path: readonly PropertyKey[]) => string | undefined;

const typeWords: Record<string, string> = {
  string: '文本',
  number: '数字',
  int: '整数',
  boolean: '布尔值（true 或 false）',
  array: '列表',
  object: '对象',
};

const count = (value: number | bigint) => value.toLocaleString('en-US');

/** The problem of one issue, without the field's name. */
function problem(issue: z.core.$ZodRawIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? '未填写' : `应为${typeWords[issue.expected] ?? issue.expected}`;
    case 'too_big':
      if (issue.origin === 'string') return `最长 ${count(issue.maximum)} 个字符`;
      if (issue.origin === 'array' || issue.origin === 'set') return `最多 ${count(issue.maximum)} 项`;
      return issue.inclusive === false ? `须小于 ${count(issue.maximum)}` : `不能大于 ${count(issue.maximum)}`;
    case 'too_small':
      if (issue.origin === 'string')
        return Number(issue.minimum) <= 1 ? '不能为空' : `至少 ${count(issue.minimum)} 个字符`;
      if (issue.origin === 'array' || issue.origin === 'set') return `至少 ${count(issue.minimum)} 项`;
      return issue.inclusive === false ? `须大于 ${count(issue.minimum)}` : `不能小于 ${count(issue.minimum)}`;
    case 'invalid_value':
      return `只能是 ${issue.values.map(String).join('、')}`;
    case 'invalid_format':
      return issue.format === 'url' ? '不是有效的链接' : '格式不对';
    case 'not_multiple_of':
      return `须是 ${count(issue.divisor)} 的倍数`;
    case 'unrecognized_keys':
      return `不认识的参数 ${issue.keys.join('、')}`;
    default:
      return '不符合要求';
  }
}

/**
 * A zod error map that says what was wrong in Chinese: zod's own messages are English (`Invalid input`, `Too big:
 * expected string to have <=512 characters`) and must never reach a chat or a card. A message a schema gives itself is
 * kept (zod asks the map only for the others), so those say what the field is in their own words; with `fieldName`,
 * the map's own messages name the field too (`镜像：最长 512 个字符`). Too few or too many arguments in all is `缺少参数`
 * or `参数过多`; of several forms (a union), the problem is that of the form the arguments came closest to.
 */
export function chineseIssues(fieldName?: FieldName): z.core.$ZodErrorMap {
  return (issue) => {
    const path = issue.path ?? [];
    if (issue.code === 'invalid_union') {
      const firsts = issue.errors.map((branch) => branch[0]).filter((first) => first !== undefined);
      return (firsts.find((first) => first.path.length) ?? firsts[0])?.message ?? '参数不符合要求';
    }
    if (!path.length && issue.origin === 'array') {
      if (issue.code === 'too_small') return '缺少参数';
      if (issue.code === 'too_big') return '参数过多';
    }
    if (!fieldName || !path.length || issue.code === 'unrecognized_keys') return problem(issue);
    return `${fieldName(path) ?? `第 ${Number(path[0]) + 1} 个参数`}：${problem(issue)}`;
  };
}
