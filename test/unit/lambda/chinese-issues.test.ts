import * as z from 'zod';
import { describe, expect, it } from 'vitest';
import { chineseIssues } from '../../../lib/lambda/chinese-issues.js';

const messages = (schema: z.ZodType, value: unknown, named?: boolean) =>
  schema
    .safeParse(value, { error: chineseIssues(named ? (path) => `字段${path.join('.')}` : undefined) })
    .error!.issues.map((issue) => issue.message);

describe('zod issues in Chinese', () => {
  it('says what is wrong with a value, by the kind of check, without any English', () => {
    const schema = z.strictObject({
      name: z.string().min(1).max(8),
      code: z.string().min(3),
      limit: z.number().int().min(1).max(200),
      ratio: z.number().gt(0).lt(1),
      mode: z.enum(['fast', 'safe']),
      link: z.url(),
      tags: z.array(z.string()).max(2),
      version: z.literal('4'),
      id: z.string().regex(/^[a-f0-9]+$/),
      count: z.number().multipleOf(5),
    });
    const value = {
      name: '这个名字真的太长了',
      code: 'ab',
      limit: 500,
      ratio: 1,
      mode: 'slow',
      link: 'not a link',
      tags: ['a', 'b', 'c'],
      version: '3',
      id: 'XYZ',
      count: 7,
      extra: true,
    };
    expect(messages(schema, value)).toEqual([
      '最长 8 个字符',
      '至少 3 个字符',
      '不能大于 200',
      '须小于 1',
      '只能是 fast、safe',
      '不是有效的链接',
      '最多 2 项',
      '只能是 4',
      '格式不对',
      '须是 5 的倍数',
      '不认识的参数 extra',
    ]);
    expect(messages(schema, { ...value, name: '', ratio: 0, limit: 0 }).slice(0, 4)).toEqual([
      '不能为空',
      '至少 3 个字符',
      '不能小于 1',
      '须大于 0',
    ]);
    expect(messages(z.object({ limit: z.number(), on: z.boolean() }), { on: 'yes' })).toEqual([
      '未填写',
      '应为布尔值（true 或 false）',
    ]);
  });

  it('names the field when given its names, and keeps a message the schema gave itself', () => {
    const schema = z.object({
      image: z.string().max(512),
      host: z.string().regex(/^[a-z]+$/, '主机名只能包含小写字母'),
    });
    expect(messages(schema, { image: 'x'.repeat(513), host: 'WEB' }, true)).toEqual([
      '字段image：最长 512 个字符',
      '主机名只能包含小写字母',
    ]);
  });

  it('says 缺少参数 or 参数过多 for a wrong number of arguments, and the closest form of a union', () => {
    const unit = z.string().regex(/^[a-z]+$/, '服务名只能包含小写字母');
    const forms = z.tuple([unit]).or(z.tuple([unit, z.string().max(3)]));
    expect(messages(forms, [])).toEqual(['缺少参数']);
    expect(messages(forms, ['a', 'b', 'c'])).toEqual(['参数过多']);
    expect(messages(forms, ['A'])).toEqual(['服务名只能包含小写字母']);
    expect(messages(forms, ['a', 'long'], true)).toEqual(['字段1：最长 3 个字符']);
    expect(messages(z.array(z.string()).min(1), [])).toEqual(['缺少参数']);
  });
});
