// A zod failure -> one 400 that names the field, e.g. "messages[1].content[0].image_url.url:
// expected string". Union failures are explained by the branch that got furthest into the input,
// which is the one the client most likely meant.
import type { z } from 'zod';
import { invalidField, type RestRequestError } from './rest-request-error.ts';

type Issue = z.core.$ZodIssue;

export function describeZodError(error: z.ZodError): RestRequestError {
  const issue = mostSpecific(error.issues);
  if (!issue) return invalidField('(body)', 'invalid request');
  const { path, message } = explain(issue, []);
  return invalidField(formatPath(path), message);
}

function explain(issue: Issue, prefix: PropertyKey[]): { path: PropertyKey[]; message: string } {
  const path = [...prefix, ...issue.path];
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    const branch = issue.errors.map(mostSpecific).filter((candidate): candidate is Issue => candidate !== undefined);
    const best = mostSpecific(branch);
    // Branches that all failed at the union's own level say nothing more than "invalid input".
    if (best && best.path.length > 0) return explain(best, path);
  }
  if (issue.code === 'unrecognized_keys') return { path, message: `unknown field(s) ${issue.keys.join(', ')}` };
  return { path, message: issue.message };
}

function mostSpecific(issues: readonly Issue[]): Issue | undefined {
  let best: Issue | undefined;
  for (const issue of issues) if (!best || depth(issue) > depth(best)) best = issue;
  return best;
}

function depth(issue: Issue): number {
  if (issue.code === 'invalid_union') {
    return issue.path.length + Math.max(0, ...issue.errors.map((branch) => Math.max(0, ...branch.map(depth))));
  }
  return issue.path.length;
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out ? `.${String(segment)}` : String(segment);
  }
  return out || '(body)';
}
