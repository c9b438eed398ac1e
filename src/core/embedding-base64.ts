// A vector as OpenAI's `encoding_format: "base64"` sends it: the float32 values, little-endian,
// base64-encoded. Both edges (GraphQL `base64`, REST `encoding_format`) use this one encoder.

export function encodeEmbeddingBase64(vector: readonly number[]): string {
  const bytes = new Uint8Array(vector.length * 4);
  const view = new DataView(bytes.buffer);
  vector.forEach((value, index) => view.setFloat32(index * 4, value, true));
  return Buffer.from(bytes).toString('base64');
}

export function decodeEmbeddingBase64(encoded: string): number[] {
  const bytes = Buffer.from(encoded, 'base64');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const vector: number[] = [];
  for (let offset = 0; offset + 4 <= bytes.byteLength; offset += 4) vector.push(view.getFloat32(offset, true));
  return vector;
}
