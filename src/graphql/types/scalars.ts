import { GraphQLError, Kind } from 'graphql';
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
  description: `Any JSON value nested at most ${MAX_JSON_DEPTH} levels deep.`,
  serialize: (value) => value,
  // Variables arrive parsed (JSON.parse takes any depth); what later walks them recurses.
  parseValue: (value) => {
    const tooDeep = tooDeepAt(value);
    if (tooDeep !== null) {
      throw new GraphQLError(`JSON nests objects and arrays deeper than ${MAX_JSON_DEPTH} levels (at ${tooDeep})`, { extensions: { code: 'INVALID_REQUEST' } });
    }
    return value;
  },
});
