// Display helpers. Money arrives as a decimal string (micro-USD precision) and is shown as is.

export function usd(value: string | null | undefined): string {
  if (value == null) return '—';
  const [whole = '0', fraction = ''] = value.split('.');
  // At least cents, at most micro-dollars.
  return `$${whole}.${fraction.padEnd(2, '0').slice(0, 6)}`;
}

export const count = (value: number) => Math.round(value).toLocaleString('en-US');

export const time = (iso: string) => new Date(iso).toLocaleTimeString('en-GB', { hour12: false });

/** The UTC day `days` days ago, at 00:00. */
export function daysAgo(days: number): Date {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - days));
}

export const isoDay = (date: Date) => date.toISOString().slice(0, 10);

/** Comma- or newline-separated names; empty means none given. */
export const listOf = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((item) => item.trim())
    .filter(Boolean);

/** A decimal USD string as integer micro-USD, to add amounts exactly. */
export function micro(value: string): bigint {
  const negative = value.startsWith('-');
  const [whole = '0', fraction = ''] = value.replace('-', '').split('.');
  const amount = BigInt(whole || '0') * 1_000_000n + BigInt(fraction.padEnd(6, '0').slice(0, 6) || '0');
  return negative ? -amount : amount;
}

/** Integer micro-USD as the API's decimal string. */
export function fromMicro(value: bigint): string {
  const sign = value < 0n ? '-' : '';
  const magnitude = value < 0n ? -value : value;
  const fraction = (magnitude % 1_000_000n).toString().padStart(6, '0').replace(/0+$/, '');
  return `${sign}${magnitude / 1_000_000n}${fraction ? `.${fraction}` : ''}`;
}
