// Providers enabled by their standard environment variables, used when the config file lists none.
import type { ProviderSettings } from '../providers/provider-settings.ts';
import { findProviderKind } from '../providers/registry.ts';
import type { Env } from './env.ts';

/** The providers enabled by their standard API-key variables (each kind's `apiKeyEnv`) when no config file lists providers. */
export const ENVIRONMENT_PROVIDER_KINDS = ['openai', 'anthropic', 'gemini', 'groq', 'mistral', 'deepseek', 'xai', 'openrouter', 'together', 'fireworks', 'cohere'] as const;

/** Providers enabled by the standard environment variables (used when the file lists none). */
export function providersFromEnvironment(env: Env): ProviderSettings[] {
  const providers: ProviderSettings[] = [];
  for (const kind of ENVIRONMENT_PROVIDER_KINDS) {
    const key = (findProviderKind(kind)?.apiKeyEnv ?? []).map((name) => env[name]).find((value) => value !== undefined && value !== '');
    if (key) providers.push({ id: kind, kind, apiKey: key });
  }
  // AWS Bedrock and Google Vertex AI from their standard variables.
  const awsRegion = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (awsRegion && ((env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) || env.AWS_BEARER_TOKEN_BEDROCK)) {
    providers.push({
      id: 'bedrock',
      kind: 'bedrock',
      region: awsRegion,
      ...(env.AWS_ACCESS_KEY_ID ? { accessKeyId: env.AWS_ACCESS_KEY_ID } : {}),
      ...(env.AWS_SECRET_ACCESS_KEY ? { secretAccessKey: env.AWS_SECRET_ACCESS_KEY } : {}),
      ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
      ...(env.AWS_BEARER_TOKEN_BEDROCK ? { apiKey: env.AWS_BEARER_TOKEN_BEDROCK } : {}),
    });
  }
  if (env.GOOGLE_APPLICATION_CREDENTIALS && env.GOOGLE_CLOUD_PROJECT) {
    providers.push({
      id: 'vertex',
      kind: 'vertex',
      serviceAccountFile: env.GOOGLE_APPLICATION_CREDENTIALS,
      project: env.GOOGLE_CLOUD_PROJECT,
      ...(env.GOOGLE_CLOUD_LOCATION ? { location: env.GOOGLE_CLOUD_LOCATION } : {}),
    });
  }
  return providers;
}
