// Money is integer micro-USD (bigint). Prices are micro-USD per 1M tokens.

export const MICRO_PER_USD = 1_000_000n;

/** USD (as the catalog publishes it, e.g. 0.15 per 1M tokens) to integer micro-USD, rounded half up. */
export function usdToMicro(usd: number): bigint {
  // Through a fixed 6-decimal string so binary floating point never leaks in (0.15 -> "0.150000").
  const [whole, fraction = ''] = usd.toFixed(6).split('.');
  return BigInt(whole!) * MICRO_PER_USD + BigInt(fraction.padEnd(6, '0'));
}

/** Integer micro-USD as a decimal USD string without trailing zeros: 1500n -> "0.0015". */
export function formatMicroUsd(micro: bigint): string {
  const negative = micro < 0n;
  const abs = negative ? -micro : micro;
  const whole = abs / MICRO_PER_USD;
  const fraction = (abs % MICRO_PER_USD).toString().padStart(6, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

/** A decimal USD string to micro-USD; throws on more than 6 decimals or bad syntax. */
export function parseUsd(value: string): bigint {
  const match = /^(-)?(\d+)(?:\.(\d{1,6}))?$/.exec(value.trim());
  if (!match) throw new RangeError(`not a USD amount with at most 6 decimals: "${value}"`);
  const micro = BigInt(match[2]!) * MICRO_PER_USD + BigInt((match[3] ?? '').padEnd(6, '0'));
  return match[1] ? -micro : micro;
}
