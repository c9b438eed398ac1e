// Every GraphQL string input (variables, their object keys and inline literals) must be text
// Postgres can store: no NUL character, no lone surrogate. Such a value would otherwise fail deep
// in a statement (22021) after a budget lookup or with a usage record; here it is refused before
// execution with INVALID_REQUEST naming where it was, over HTTP and WebSocket alike. Lengths are
// checked per field by the resolvers (core/input-limits.ts).
import { BREAK, GraphQLError, visit, type ASTNode, type DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { invalidTextReason } from '../core/input-limits.ts';

interface Problem {
  path: string;
  reason: string;
}

export function useStorableTextInputs(): Plugin {
  // Documents are parsed once and cached by yoga, so their literals are checked once.
  const literalProblems = new WeakMap<DocumentNode, Problem | null>();
  const problemOf = (document: DocumentNode, variables: unknown): Problem | null => {
    let literal = literalProblems.get(document);
    if (literal === undefined) literalProblems.set(document, (literal = literalProblem(document)));
    return literal ?? variableProblem(variables);
  };
  const refusal = (problem: Problem) => ({
    errors: [new GraphQLError(`${problem.path}: ${problem.reason}`, { extensions: { code: 'INVALID_REQUEST', field: problem.path } })],
  });
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const problem = problemOf(args.document, args.variableValues);
      if (problem) setResultAndStopExecution(refusal(problem));
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const problem = problemOf(args.document, args.variableValues);
      if (problem) setResultAndStopExecution(refusal(problem));
    },
  };
}

/** Where a value sits in the variables; the path text is built only for the one reported. */
interface Place {
  value: unknown;
  parent: Place | null;
  /** `$name` at the top, then a key or an index. */
  step: string | number;
}

function pathOf(place: Place): string {
  let path = '';
  for (let at: Place | null = place; at !== null; at = at.parent) {
    path = (at.parent === null ? at.step : typeof at.step === 'number' ? `[${at.step}]` : `.${at.step}`) + path;
  }
  return path;
}

/** The first invalid string among the variables, walked without recursion (inputs may nest deeply). */
function variableProblem(variables: unknown): Problem | null {
  if (variables === null || typeof variables !== 'object') return null;
  const stack: Place[] = [];
  for (const name in variables) {
    if (Object.hasOwn(variables, name)) stack.push({ value: (variables as Record<string, unknown>)[name], parent: null, step: `$${name}` });
  }
  while (stack.length > 0) {
    const place = stack.pop()!;
    const { value } = place;
    if (typeof value === 'string') {
      const reason = invalidTextReason(value);
      if (reason !== null) return { path: pathOf(place), reason };
    } else if (Array.isArray(value)) {
      for (let index = 0; index < value.length; index++) stack.push({ value: value[index], parent: place, step: index });
    } else if (value !== null && typeof value === 'object') {
      for (const key in value) {
        if (!Object.hasOwn(value, key)) continue;
        const reason = invalidTextReason(key);
        if (reason !== null) return { path: pathOf(place), reason: `a key ${reason}` };
        stack.push({ value: (value as Record<string, unknown>)[key], parent: place, step: key });
      }
    }
  }
  return null;
}

/** The first invalid string literal in the document, named by its argument and input fields. */
function literalProblem(document: DocumentNode): Problem | null {
  let found: Problem | null = null;
  visit(document, {
    StringValue(node, _key, parent, _path, ancestors) {
      const reason = invalidTextReason(node.value);
      if (reason === null) return undefined;
      // `ancestors` stops short of the parent (the argument or input field holding the string).
      found = { path: literalPath(parent ? [...ancestors, parent] : ancestors), reason };
      return BREAK;
    },
  });
  return found;
}

function literalPath(ancestors: ReadonlyArray<ASTNode | ReadonlyArray<ASTNode>>): string {
  const names: string[] = [];
  for (const ancestor of ancestors) {
    if (Array.isArray(ancestor)) continue;
    const node = ancestor as ASTNode;
    if (node.kind === 'Argument' || node.kind === 'ObjectField') names.push(node.name.value);
  }
  return names.join('.') || '(document)';
}
