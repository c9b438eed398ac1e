import { GraphQLError, Kind, type ValueNode } from 'graphql';
import { MAX_JSON_DEPTH, tooDeepAt } from '../../core/json-depth.ts';
import { formatMicroUsd, parseUsd } from '../../core/money.ts';
import { builder } from '../builder.ts';

/** USD as a decimal string (at most 6 decimals); integer micro-USD inside. Never a Float. */
builder.scalarType('Money', {
  description: 'An amount in US dollars as a decimal string with at most 6 decimals, e.g. "0.0015".',
  serialize: (value) => formatMicroUsd(value as bigint),
  parseValue: (value) => {
    if (typeof value !== 'string') throw new GraphQLError('Money must be a decimal string such as "1.50"');
    parseUsd(value);
    return value;
  },
  parseLiteral: (node) => {
    if (node.kind !== Kind.STRING) throw new GraphQLError('Money must be a decimal string such as "1.50"');
    parseUsd(node.value);
    return node.value;
  },
});

builder.scalarType('DateTime', {
  description: 'An ISO-8601 timestamp in UTC.',
  serialize: (value) => (value instanceof Date ? value : new Date(value as string)).toISOString(),
  parseValue: (value) => {
    const date = new Date(value as string);
    if (typeof value !== 'string' || Number.isNaN(date.getTime())) throw new GraphQLError('DateTime must be an ISO-8601 string');
    return date;
  },
});

builder.scalarType('JSON', {
  description: `Any JSON value nested at most ${MAX_JSON_DEPTH} levels deep. As a literal: objects, lists, strings, numbers, booleans and null, with variables anywhere inside.`,
  serialize: (value) => value,
  // Variables arrive parsed (JSON.parse takes any depth); what later walks them recurses.
  parseValue: (value) => withinDepth(value),
  // A literal's nesting is bounded by the document's token limit; the same depth rule applies.
  parseLiteral: (node, variables) => withinDepth(jsonFromLiteral(node, variables ?? null)),
});

function withinDepth(value: unknown): unknown {
  const tooDeep = tooDeepAt(value);
  if (tooDeep !== null) {
    throw new GraphQLError(`JSON nests objects and arrays deeper than ${MAX_JSON_DEPTH} levels (at ${tooDeep})`, { extensions: { code: 'INVALID_REQUEST' } });
  }
  return value;
}

/**
 * A JSON value from a GraphQL literal, as plain objects and arrays (graphql-js's own untyped
 * conversion builds objects without a prototype). Object.fromEntries defines keys as own data
 * properties, so a `__proto__` key stays a key.
 */
function jsonFromLiteral(node: ValueNode, variables: Record<string, unknown> | null): unknown {
  switch (node.kind) {
    case Kind.NULL:
      return null;
    case Kind.STRING:
    case Kind.ENUM:
      return node.value;
    case Kind.BOOLEAN:
      return node.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(node.value);
    case Kind.LIST:
      return node.values.map((item) => jsonFromLiteral(item, variables));
    case Kind.OBJECT:
      return Object.fromEntries(node.fields.map((field) => [field.name.value, jsonFromLiteral(field.value, variables)]));
    case Kind.VARIABLE:
      // An absent variable inside a literal is null, as in JSON there is no undefined.
      return variables?.[node.name.value] ?? null;
  }
}
