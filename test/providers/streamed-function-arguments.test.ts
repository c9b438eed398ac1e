// Vertex streamFunctionCallArguments pieces -> one arguments object (PartialArg: jsonPath, the
// value fields, willContinue for strings that continue in the next piece).
import { describe, expect, it } from 'vitest';
import { parseJsonPath, StreamedFunctionArguments } from '../../src/providers/gemini/streamed-function-arguments.ts';

describe('streamed function-call arguments', () => {
  it.each([
    ['$.location', ['location']],
    ['$.recipe.ingredients[0].amount', ['recipe', 'ingredients', 0, 'amount']],
    ["$['a b'][2]", ['a b', 2]],
    ['location', undefined],
    ['$.a[x]', undefined],
    ['$..a', undefined],
  ])('parses %s', (path, segments) => {
    expect(parseJsonPath(path)).toEqual(segments);
  });

  it('joins string pieces per path and builds nested objects and arrays', () => {
    const args = new StreamedFunctionArguments();
    args.apply([{ jsonPath: '$.recipe.ingredients[0].amount', stringValue: '16 ', willContinue: true }]);
    args.apply([{ jsonPath: '$.recipe.ingredients[0].amount', stringValue: 'oz' }]);
    args.apply([{ jsonPath: '$.recipe.ingredients[1].name', stringValue: 'Beef' }, { jsonPath: '$.servings', numberValue: 4 }]);
    args.apply([{ jsonPath: '$.vegan', boolValue: false }, { jsonPath: '$.note', nullValue: 'NULL_VALUE' }, { jsonPath: 'bad', stringValue: 'x' }]);
    expect(JSON.parse(args.json())).toEqual({ recipe: { ingredients: [{ amount: '16 oz' }, { name: 'Beef' }] }, servings: 4, vegan: false, note: null });
  });
});
