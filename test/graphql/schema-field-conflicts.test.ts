// Same-name fields of types that can meet in one selection must have compatible types, or the
// natural query (`... on ChatCompletion { message { content } } ... on GatewayError { message }`)
// fails validation. This walks every union and interface and applies the type part of graphql-js's
// OverlappingFieldsCanBeMerged rule to every pair of types a fragment inside it may name.
import {
  getNamedType,
  isAbstractType,
  isCompositeType,
  isInterfaceType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  buildSchema as buildSchemaFromSdl,
  parse,
  validate,
  type GraphQLCompositeType,
  type GraphQLNamedType,
  type GraphQLOutputType,
  type GraphQLSchema,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildSchema } from '../../src/graphql/schema.ts';

/** graphql-js's doTypesConflict: list and non-null wrappers must match, and leaf types must be equal. */
function typesConflict(a: GraphQLOutputType, b: GraphQLOutputType): boolean {
  if (isListType(a) || isListType(b)) return isListType(a) && isListType(b) ? typesConflict(a.ofType, b.ofType) : true;
  if (isNonNullType(a) || isNonNullType(b)) return isNonNullType(a) && isNonNullType(b) ? typesConflict(a.ofType, b.ofType) : true;
  if (isLeafType(a) || isLeafType(b)) return a !== b;
  return false;
}

/** The types a fragment may name inside a selection on `type`: itself, its possible types and their interfaces. */
function fragmentTypes(schema: GraphQLSchema, type: GraphQLCompositeType): GraphQLCompositeType[] {
  if (!isAbstractType(type)) return [type, ...type.getInterfaces()];
  const possible = schema.getPossibleTypes(type);
  return [...new Set<GraphQLCompositeType>([type, ...possible, ...possible.flatMap((member) => member.getInterfaces())])];
}

function fieldsOf(type: GraphQLCompositeType) {
  return isObjectType(type) || isInterfaceType(type) ? type.getFields() : {};
}

/** Every conflict between two types that may meet in one selection, following composite fields down. */
function conflicts(schema: GraphQLSchema, a: GraphQLCompositeType, b: GraphQLCompositeType, path: string, seen: Set<string>): string[] {
  const key = [a.name, b.name].sort().join('|');
  if (seen.has(key)) return [];
  seen.add(key);
  const found: string[] = [];
  const fieldsA = fieldsOf(a);
  const fieldsB = fieldsOf(b);
  for (const [name, fieldA] of Object.entries(fieldsA)) {
    const fieldB = fieldsB[name];
    if (!fieldB || fieldA === fieldB) continue;
    const where = `${path}${a.name}.${name} (${String(fieldA.type)}) vs ${b.name}.${name} (${String(fieldB.type)})`;
    if (typesConflict(fieldA.type, fieldB.type)) {
      found.push(where);
      continue;
    }
    const namedA = getNamedType(fieldA.type);
    const namedB = getNamedType(fieldB.type);
    if (namedA !== namedB && isCompositeType(namedA) && isCompositeType(namedB)) {
      for (const innerA of fragmentTypes(schema, namedA)) {
        for (const innerB of fragmentTypes(schema, namedB)) found.push(...conflicts(schema, innerA, innerB, `${where} > `, seen));
      }
    }
  }
  return found;
}

function schemaFieldConflicts(schema: GraphQLSchema): string[] {
  const found: string[] = [];
  const seen = new Set<string>();
  for (const type of Object.values(schema.getTypeMap()) as GraphQLNamedType[]) {
    if (type.name.startsWith('__') || !isAbstractType(type)) continue;
    const candidates = fragmentTypes(schema, type);
    for (const [index, a] of candidates.entries()) {
      for (const b of candidates.slice(index + 1)) found.push(...conflicts(schema, a, b, `in ${type.name}: `, seen));
    }
  }
  return found;
}

describe('schema: fields that can meet in one selection', () => {
  it('have compatible types in every union and interface (OverlappingFieldsCanBeMerged)', () => {
    expect(schemaFieldConflicts(buildSchema())).toEqual([]);
  });

  it('the check itself finds leaf, nullability, list and nested conflicts as graphql-js does', () => {
    const schema = buildSchemaFromSdl(`
      type Query { result: Result, node: Node }
      union Result = A | B
      type A { message: Inner!, count: Int, tags: [String!]!, same: String }
      type B { message: String!, count: Int!, tags: String!, same: String }
      type Inner { content: String, deep: Deep }
      type Deep { value: Int }
      interface Node { id: ID! }
      type C implements Node { id: ID!, inner: Inner }
      type D implements Node { id: ID!, inner: Other }
      type Other { content: Int, deep: Deep }
    `);
    expect(schemaFieldConflicts(schema).map((conflict) => conflict.replace(/ \(.*?\)/g, '')).sort()).toEqual([
      'in Node: C.inner vs D.inner > Inner.content vs Other.content',
      'in Result: A.count vs B.count',
      'in Result: A.message vs B.message',
      'in Result: A.tags vs B.tags',
    ]);
    // The rule the check mirrors rejects the same selections.
    expect(validate(schema, parse('{ result { ... on A { count } ... on B { count } } }'))).toHaveLength(1);
    expect(validate(schema, parse('{ node { ... on C { inner { content } } ... on D { inner { content } } } }'))).toHaveLength(1);
  });

  it('the natural completion selections validate without aliases', () => {
    const schema = buildSchema();
    const documents = [
      'mutation { createChatCompletion(input: { model: "m", messages: [] }) { ... on ChatCompletion { output { content } } ... on GatewayError { code message } ... on Error { message } } }',
      'mutation { createChatCompletions(inputs: []) { ... on ChatCompletion { output { content } } ... on GatewayError { code message } } }',
      'mutation { createEmbeddings(input: { model: "m", input: [] }) { ... on Embeddings { id } ... on Error { code message } } }',
      'subscription { chatCompletionStream(input: { model: "m", messages: [] }) { ... on ChatCompletionCompleted { completion { output { content } } } ... on ChatCompletionFailed { code message error { message } } } }',
    ];
    for (const document of documents) expect(validate(schema, parse(document)).map((error) => error.message)).toEqual([]);
  });
});
