/** The environment variables as config reads them (process.env, or a test's record). */
export type Env = Record<string, string | undefined>;
