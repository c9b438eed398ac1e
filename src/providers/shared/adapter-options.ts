import type { HttpClient } from '../../core/ports.ts';

/** What every adapter factory takes. Kind-specific options extend it. */
export interface AdapterOptions {
  /** The configured provider id (e.g. "openai", "my-azure"); put on every error. */
  providerId: string;
  /** Base URL without a trailing slash; each kind has a default. */
  baseUrl?: string;
  apiKey?: string;
  http: HttpClient;
  /** Extra headers sent on every request (from config). */
  headers?: Record<string, string>;
}
