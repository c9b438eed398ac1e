// We send tool parameters as `parametersJsonSchema` and response schemas as `responseJsonSchema`
// rather than the older `parameters` / `responseSchema` fields: those take Gemini's OpenAPI 3.0
// Schema subset (upper-case types, no additionalProperties, no $ref), while the *JsonSchema
// fields take standard JSON Schema (the Gemini API reference for FunctionDeclaration and
// GenerationConfig, and Vertex AI's FunctionDeclaration), so client schemas pass through
// without a lossy translation. Only the root `$schema` meta keyword is dropped.

export function toGeminiJsonSchema(schema: Record<string, unknown>): Record<string, unknown> {
  if (!('$schema' in schema)) return schema;
  const { $schema: _dropped, ...rest } = schema;
  return rest;
}
