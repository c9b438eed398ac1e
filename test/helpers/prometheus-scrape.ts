// Reads /metrics as Prometheus would and looks series up by label subsets. The text is parsed by
// parse-prometheus-text-format (a parser of the exposition format), not by regexes of our own.
import parsePrometheusTextFormat from 'parse-prometheus-text-format';

interface Sample {
  labels?: Record<string, string>;
  value?: string;
  count?: string;
  sum?: string;
  buckets?: Record<string, string>;
}

interface Family {
  name: string;
  help: string;
  type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED';
  metrics: Sample[];
}

export interface Scrape {
  families: Map<string, Family>;
  /** The sum of the matching series' values (a histogram's: its counts). */
  value(name: string, labels?: Record<string, string>): number;
  /** The matching histogram series. */
  histogram(name: string, labels?: Record<string, string>): Array<{ count: number; sum: number; buckets: Record<string, number> }>;
}

const matches = (sample: Sample, labels: Record<string, string>) => Object.entries(labels).every(([key, value]) => (sample.labels ?? {})[key] === value);

export function parseScrape(text: string): Scrape {
  const families = new Map<string, Family>((parsePrometheusTextFormat(text) as Family[]).map((family) => [family.name, family]));
  // The parser folds every labelled series of a histogram into one; with the histograms' TYPE
  // lines left out it reads their _bucket, _sum and _count samples as plain series, labels kept.
  const histograms = new Set([...families.values()].filter((family) => family.type === 'HISTOGRAM').map((family) => family.name));
  // Each series' _bucket, _sum and _count lines then come as families of their own: joined by name.
  const plain = new Map<string, Sample[]>();
  for (const family of parsePrometheusTextFormat(text.replace(/^# TYPE \S+ histogram$/gm, '')) as Family[]) {
    plain.set(family.name, [...(plain.get(family.name) ?? []), ...family.metrics]);
  }
  const samples = (name: string, labels: Record<string, string>) => (plain.get(name) ?? []).filter((sample) => matches(sample, labels));
  const total = (name: string, labels: Record<string, string>) => samples(name, labels).reduce((sum, sample) => sum + Number(sample.value ?? 0), 0);
  return {
    families,
    value: (name, labels = {}) => total(histograms.has(name) ? `${name}_count` : name, labels),
    histogram: (name, labels = {}) =>
      samples(`${name}_count`, labels).map((series) => {
        const exact = series.labels ?? {};
        const buckets = samples(`${name}_bucket`, exact).filter((bucket) => Object.keys(bucket.labels ?? {}).length === Object.keys(exact).length + 1);
        return {
          count: Number(series.value),
          sum: total(`${name}_sum`, exact),
          buckets: Object.fromEntries(buckets.map((bucket) => [bucket.labels!.le!, Number(bucket.value)])),
        };
      }),
  };
}

export async function scrape(url: string, headers: Record<string, string> = {}): Promise<Scrape> {
  const response = await fetch(url, { headers });
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}: ${await response.text()}`);
  return parseScrape(await response.text());
}
