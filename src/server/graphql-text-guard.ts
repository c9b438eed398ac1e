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

/** The first invalid string among the variables, walked without recursion (inputs may nest deeply). */
function variableProblem(variables: unknown): Problem | null {
  if (variables === null || typeof variables !== 'object') return null;
  const stack: Array<{ value: unknown; path: string }> = Object.entries(variables).map(([name, value]) => ({ value, path: `$${name}` }));
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (typeof value === 'string') {
      const reason = invalidTextReason(value);
      if (reason !== null) return { path, reason };
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => stack.push({ value: item, path: `${path}[${index}]` }));
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        const reason = invalidTextReason(key);
        if (reason !== null) return { path, reason: `a key ${reason}` };
        stack.push({ value: item, path: `${path}.${key}` });
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
